package frontline

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated parts of docs/")

const accessDoc = "docs/access.md"

// roleTable renders rolePermissions as a Markdown table: one row per role,
// one column per permission.
func roleTable() string {
	var b strings.Builder
	b.WriteString("| role |")
	for _, p := range AllPermissions {
		fmt.Fprintf(&b, " `%s` |", p)
	}
	b.WriteString("\n|---|" + strings.Repeat(":-:|", len(AllPermissions)) + "\n")
	for _, r := range Roles {
		fmt.Fprintf(&b, "| `%s` |", r)
		for _, p := range AllPermissions {
			mark := ""
			if r.Can(p) {
				mark = "✓"
			}
			fmt.Fprintf(&b, " %s |", mark)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// policyTable renders DefaultLoginPolicy.
func policyTable() string {
	p := DefaultLoginPolicy
	return fmt.Sprintf("| setting | default |\n|---|---|\n"+
		"| failed sign-ins of one account from one client before a lock (`MaxFailures`) | %d |\n"+
		"| window in which failures are counted (`Window`) | %s |\n"+
		"| lock duration (`LockFor`) | %s |\n"+
		"| failed sign-ins of one account from every client before a lock (`AccountMaxFailures`) | %d |\n"+
		"| window of the account's count (`AccountWindow`) | %s |\n"+
		"| the account's lock (`AccountLockFor`) | %s |\n"+
		"| failed sign-ins from one client address, any account, before a lock (`AddressMaxFailures`; `Window`, `LockFor`) | %d |\n"+
		"| a session ends this long after its last use (`SessionTTL`) | %s |\n"+
		"| a session ends at the latest this long after sign-in (`SessionMax`) | %s |\n",
		p.MaxFailures, p.Window, p.LockFor, p.AccountMaxFailures, p.AccountWindow, p.AccountLockFor, p.AddressMaxFailures,
		p.SessionTTL, p.SessionMax)
}

// replaceGenerated replaces the text between the markers of section name.
func replaceGenerated(doc, name, body string) (string, error) {
	begin, end := "<!-- BEGIN GENERATED "+name+" -->\n", "<!-- END GENERATED "+name+" -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("%s lacks the markers of the generated section %q", accessDoc, name)
	}
	return doc[:i+len(begin)] + body + doc[j:], nil
}

// TestAccessDoc keeps the role table and the login policy in
// docs/access.md equal to the code. Run with -update to rewrite them.
func TestAccessDoc(t *testing.T) {
	raw, err := os.ReadFile(accessDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	want := doc
	for name, body := range map[string]string{"roles": roleTable(), "policy": policyTable()} {
		if want, err = replaceGenerated(want, name, body); err != nil {
			t.Fatal(err)
		}
	}
	if want == doc {
		return
	}
	if *update {
		if err := os.WriteFile(accessDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with rolePermissions or DefaultLoginPolicy; run go test -run TestAccessDoc -update .", accessDoc)
}

// TestRoleTable checks the rules the table must keep: every role is in
// it, admins manage users, and no role below may grant one above.
func TestRoleTable(t *testing.T) {
	for _, r := range Roles {
		if _, ok := rolePermissions[r]; !ok {
			t.Errorf("role %s has no row in rolePermissions", r)
		}
		for _, p := range r.Permissions() {
			if !strings.Contains(fmt.Sprint(AllPermissions), string(p)) {
				t.Errorf("role %s has permission %s, which is not in AllPermissions", r, p)
			}
		}
	}
	if !RoleCommunitySecretary.CanGrant(RoleCommunityStaff) || RoleCommunitySecretary.CanGrant(RoleDistrictAdmin) ||
		RoleCommunityStaff.CanGrant(RoleVolunteer) || RoleCityAdmin.CanGrant("king") {
		t.Error("CanGrant does not follow rank and users.manage")
	}
}
