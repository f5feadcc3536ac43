package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"golang.org/x/text/width"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// userCommands are the subcommands of `frontline user`.
var userCommands = []struct{ name, args, summary string }{
	{"add", "--login L --name N --role R --scope PATH_OR_ID [--phone P] [--password-stdin]", "add a user"},
	{"list", "[--under PATH_OR_ID]", "list users"},
	{"passwd", "LOGIN [--password-stdin]", "set a user's password"},
	{"disable", "LOGIN", "disable a user and end their sessions"},
	{"enable", "LOGIN", "enable a disabled user"},
}

func userUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: frontline user <subcommand> [flags]\n\nManages the accounts that sign in to Frontline. The command line acts as the system:\nit may grant any role and scope. Subcommands:")
	for _, c := range userCommands {
		fmt.Fprintf(w, "  %-8s %s\n           frontline user %s %s\n", c.name, c.summary, c.name, c.args)
	}
	fmt.Fprintf(w, "\nRoles: %s\n", roleList())
}

func roleList() string {
	names := make([]string, len(frontline.Roles))
	for i, r := range frontline.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func runUser(ctx context.Context, m *Main, args []string) error {
	switch {
	case len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]):
		userUsage(m.Stderr)
		return flag.ErrHelp
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		userUsage(m.Stderr)
		return usagef("say what to do first: add, list, passwd, disable or enable")
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, m, args[1:])
	case "list":
		return runUserList(ctx, m, args[1:])
	case "passwd":
		return runUserPasswd(ctx, m, args[1:])
	case "disable", "enable":
		return runUserDisable(ctx, m, args[0], args[1:])
	}
	userUsage(m.Stderr)
	return usagef("unknown subcommand %q", args[0])
}

// users opens the database and returns the user service and a context
// that records changes as made from the command line.
func (m *Main) users(ctx context.Context) (*sqldb.UserService, context.Context, error) {
	if err := m.open(ctx); err != nil {
		return nil, nil, err
	}
	return sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy), cliContext(ctx), nil
}

func runUserAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("user add", userCommands[0].args,
		"Adds a user. With --password-stdin the password is the first line of standard input; without it a\n"+
			"random password is made and printed once. Roles: "+roleList()+".")
	login := fs.String("login", "", "the login, 3 to 40 letters, digits, '.', '_' or '-'")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "the role")
	scope := fs.String("scope", "", "the place the user works under: a path of names (天水市/秦州区/大城街道) or an id")
	phone := fs.String("phone", "", "mobile phone number")
	language := fs.String("language", "zh-CN", "zh-CN or en")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *login == "" || *name == "" || *role == "" || *scope == "" {
		return usagef("--login, --name, --role and --scope are required")
	}
	if !frontline.Role(*role).Valid() {
		return usagef("unknown role %q; roles: %s", *role, roleList())
	}
	password, generated, err := newPassword(m.Stdin, *fromStdin)
	if err != nil {
		return err
	}
	users, ctx, err := m.users(ctx)
	if err != nil {
		return err
	}
	node, err := findPlace(ctx, m.DB, *scope)
	if err != nil {
		return err
	}
	u := &frontline.User{Login: *login, Name: *name, Phone: *phone, Role: frontline.Role(*role), ScopeID: node.ID, Language: *language}
	if err := users.CreateUser(ctx, u, password); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "added user %s (%s, %s) under %s\n", u.Login, u.Name, u.Role, node.Name)
	if generated {
		fmt.Fprintf(m.Stdout, "password (shown once): %s\n", password)
	}
	return nil
}

func runUserList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("user list", userCommands[1].args, "Lists users with their role, scope and state, by place.")
	under := fs.String("under", "", "only users whose scope is at or under this place (path of names or id)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	users, ctx, err := m.users(ctx)
	if err != nil {
		return err
	}
	var f frontline.UserFilter
	if *under != "" {
		node, err := findPlace(ctx, m.DB, *under)
		if err != nil {
			return err
		}
		f.Under = &node.ID
	}
	list, _, err := users.FindUsers(ctx, f)
	if err != nil {
		return err
	}
	now := m.DB.Now()
	rows := [][]string{{"LOGIN", "NAME", "ROLE", "SCOPE", "PHONE", "STATE"}}
	for _, u := range list {
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.LockedUntil.After(now):
			state = "locked until " + u.LockedUntil.UTC().Format("2006-01-02 15:04 UTC")
		}
		rows = append(rows, []string{u.Login, u.Name, string(u.Role), u.Scope.Name, frontline.MaskPhone(u.Phone), state})
	}
	if err := printColumns(m.Stdout, rows); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d user(s)\n", len(list))
	return nil
}

func runUserPasswd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("user passwd", userCommands[2].args,
		"Sets a user's password, lifts a lock on the account and ends the user's sessions. With\n"+
			"--password-stdin the password is the first line of standard input; without it a random one is\nprinted once.")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: frontline user passwd LOGIN [--password-stdin]")
	}
	password, generated, err := newPassword(m.Stdin, *fromStdin)
	if err != nil {
		return err
	}
	users, ctx, err := m.users(ctx)
	if err != nil {
		return err
	}
	u, err := userByLogin(ctx, users, pos[0])
	if err != nil {
		return err
	}
	if err := users.SetPassword(ctx, u.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "password of %s changed; their sessions have ended\n", u.Login)
	if generated {
		fmt.Fprintf(m.Stdout, "password (shown once): %s\n", password)
	}
	return nil
}

func runUserDisable(ctx context.Context, m *Main, verb string, args []string) error {
	summary := "Disables a user: they can no longer sign in, and their sessions end now."
	if verb == "enable" {
		summary = "Enables a disabled user, who can sign in again with their password."
	}
	fs := m.newFlags("user "+verb, "LOGIN", summary)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: frontline user %s LOGIN", verb)
	}
	users, ctx, err := m.users(ctx)
	if err != nil {
		return err
	}
	u, err := userByLogin(ctx, users, pos[0])
	if err != nil {
		return err
	}
	disabled := verb == "disable"
	if _, err := users.UpdateUser(ctx, u.ID, frontline.UserUpdate{Disabled: &disabled}); err != nil {
		return err
	}
	if disabled {
		fmt.Fprintf(m.Stdout, "disabled %s; their sessions have ended\n", u.Login)
	} else {
		fmt.Fprintf(m.Stdout, "enabled %s\n", u.Login)
	}
	return nil
}

func userByLogin(ctx context.Context, users *sqldb.UserService, login string) (*frontline.User, error) {
	list, _, err := users.FindUsers(ctx, frontline.UserFilter{Login: &login})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "there is no user with the login %q", login)
	}
	return list[0], nil
}

// newPassword reads the password from the first line of stdin, or makes a
// random one (generated true) that the caller prints once.
func newPassword(stdin io.Reader, fromStdin bool) (string, bool, error) {
	if !fromStdin {
		pw, err := randomPassword(16)
		return pw, true, err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", false, usagef("--password-stdin: no password on standard input")
	}
	return line, false, frontline.ValidatePassword(line)
}

// passwordAlphabet leaves out characters read wrongly when a password is
// passed on by voice or on paper: 0/O, 1/l/I.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomPassword returns n characters from passwordAlphabet: 16 give
// about 92 bits.
func randomPassword(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = passwordAlphabet[k.Int64()]
	}
	return string(b), nil
}

// printColumns writes rows as aligned columns. Unlike text/tabwriter it
// counts a Chinese character as two columns, as terminals show it.
func printColumns(w io.Writer, rows [][]string) error {
	widths := map[int]int{}
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
