package frontline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Role is what a user does; it decides what they may see and do. Roles
// are granted within a scope: a node of the place tree under which the
// user works.
type Role string

// Roles, from the widest authority down.
const (
	RoleCityAdmin          Role = "city_admin"
	RoleDistrictAdmin      Role = "district_admin"
	RoleSubdistrictAdmin   Role = "subdistrict_admin"
	RoleCommunitySecretary Role = "community_secretary" // 社区书记
	RoleCommunityStaff     Role = "community_staff"     // 社区干部
	RoleGridWorker         Role = "grid_worker"         // 网格员
	RoleVolunteer          Role = "volunteer"           // 志愿者 / 下沉干部
	RoleSampler            Role = "sampler"             // 采样人员
	RoleLab                Role = "lab"                 // 检测机构
	RoleShop               Role = "shop"                // 超市
	RolePharmacy           Role = "pharmacy"            // 药房
)

// Roles lists every role from the widest authority down.
var Roles = []Role{
	RoleCityAdmin, RoleDistrictAdmin, RoleSubdistrictAdmin, RoleCommunitySecretary,
	RoleCommunityStaff, RoleGridWorker, RoleVolunteer, RoleSampler, RoleLab, RoleShop, RolePharmacy,
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Rank orders roles by authority: 0 is the widest. A user may grant only
// roles of a rank at or below their own (a greater or equal number).
func (r Role) Rank() int { return slices.Index(Roles, r) }

// CanGrant reports whether a user of role r may give role other to someone.
func (r Role) CanGrant(other Role) bool {
	return r.Can(PermManageUsers) && other.Valid() && other.Rank() >= r.Rank()
}

// Permission is one thing a role may do.
type Permission string

// Permissions. Each route and service call names the one it needs.
const (
	PermReadRegistry  Permission = "registry.read"   // places, households, persons (masked)
	PermEditRegistry  Permission = "registry.edit"   // add, edit, move persons and places
	PermRevealPerson  Permission = "person.reveal"   // see a full ID number or phone (audited)
	PermManageUsers   Permission = "users.manage"    // users and device tokens under the scope
	PermReadAudit     Permission = "audit.read"      // search and export the audit log
	PermImportExport  Permission = "registry.import" // import and export resident lists
	PermSampling      Permission = "sampling"        // bind persons to tubes at a station
	PermPostResults   Permission = "lab.results"     // receive bags, post tube results
	PermFillOrders    Permission = "orders.fill"     // orders and deliveries of a shop
	PermFillMedicines Permission = "medicine.fill"   // medicine requests of a pharmacy

	PermReadReports       Permission = "reports.read"       // coverage, gap lists, daily reports
	PermManageScreening   Permission = "screening.manage"   // risk areas, campaigns, rules, assignment
	PermVisit             Permission = "screening.visit"    // record household visits and health reports
	PermManageZones       Permission = "zones.manage"       // seal, control, step down; zone rules
	PermManageCheckpoints Permission = "checkpoints.manage" // set up checkpoints, materials, staffing
	PermCheckpointLog     Permission = "checkpoints.log"    // record passages at a checkpoint
	PermManageRounds      Permission = "rounds.manage"      // test rounds, sites, call-up, excusals
	PermManageCases       Permission = "cases.manage"       // report and close cases, run transfers
	PermManageWorkforce   Permission = "workforce.manage"   // workers, posts, shifts, rosters, responsible workers
	PermDuty              Permission = "duty"               // duty tables and posts; check in and out of shifts
	PermManageSupply      Permission = "supply.manage"      // partner shops and pharmacies, catalogues, ordering windows
	PermPlaceOrders       Permission = "orders.place"       // order for households, make their links, gather group orders
	PermDeliver           Permission = "deliveries.run"     // make delivery runs at a gate, tick parcels delivered or returned
	PermCheckVulnerable   Permission = "vulnerable.check"   // the board of the vulnerable; record their daily checks
)

// rolePermissions is the table of what each role may do. It is also
// printed in docs/access.md; a test keeps the two equal.
var rolePermissions = map[Role][]Permission{
	RoleCityAdmin:          commandPermissions,
	RoleDistrictAdmin:      commandPermissions,
	RoleSubdistrictAdmin:   commandPermissions,
	RoleCommunitySecretary: commandPermissions,
	RoleCommunityStaff: {PermReadRegistry, PermEditRegistry, PermRevealPerson, PermReadReports, PermManageScreening,
		PermVisit, PermManageCheckpoints, PermCheckpointLog, PermManageRounds, PermManageCases, PermManageWorkforce, PermDuty, PermManageSupply, PermPlaceOrders, PermDeliver, PermCheckVulnerable},
	RoleGridWorker: {PermReadRegistry, PermEditRegistry, PermRevealPerson, PermVisit, PermCheckpointLog, PermDuty, PermPlaceOrders, PermDeliver, PermCheckVulnerable},
	RoleVolunteer:  {PermReadRegistry, PermCheckpointLog, PermDuty, PermPlaceOrders, PermDeliver, PermCheckVulnerable},
	RoleSampler:    {PermReadRegistry, PermSampling, PermDuty},
	RoleLab:        {PermPostResults},
	RoleShop:       {PermFillOrders},
	RolePharmacy:   {PermFillMedicines},
}

// commandPermissions are those of the admins and the community secretary:
// everything but the work of a station, a lab, a shop or a pharmacy.
var commandPermissions = []Permission{
	PermReadRegistry, PermEditRegistry, PermRevealPerson, PermManageUsers, PermReadAudit, PermImportExport,
	PermReadReports, PermManageScreening, PermVisit, PermManageZones, PermManageCheckpoints, PermCheckpointLog,
	PermManageRounds, PermManageCases, PermManageWorkforce, PermDuty, PermManageSupply, PermPlaceOrders, PermDeliver,
	PermCheckVulnerable,
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// Permissions returns the permissions of r.
func (r Role) Permissions() []Permission { return slices.Clone(rolePermissions[r]) }

// AllPermissions lists every permission in table order.
var AllPermissions = []Permission{
	PermReadRegistry, PermEditRegistry, PermRevealPerson, PermManageUsers, PermReadAudit,
	PermImportExport, PermSampling, PermPostResults, PermFillOrders, PermFillMedicines,
	PermReadReports, PermManageScreening, PermVisit, PermManageZones, PermManageCheckpoints,
	PermCheckpointLog, PermManageRounds, PermManageCases, PermManageWorkforce, PermDuty, PermManageSupply, PermPlaceOrders,
	PermDeliver, PermCheckVulnerable,
}

// User is a person who signs in: staff, volunteers, samplers, shop clerks.
type User struct {
	ID      int64  `json:"id"`
	Login   string `json:"login"`
	Name    string `json:"name"`
	Phone   string `json:"-"` // shown masked
	Role    Role   `json:"role"`
	ScopeID int64  `json:"scope_id"`
	// Scope is the scope node, filled by finders.
	Scope    *Place `json:"scope,omitempty"`
	Disabled bool   `json:"disabled"`
	// Language is the user's chosen language ("zh-CN" or "en").
	Language string `json:"language"`

	// LockedUntil is the end of a lock of the whole account (from every
	// client) after too many wrong passwords; zero or past when none holds.
	LockedUntil time.Time `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate normalizes and checks the fields a caller sets.
func (u *User) Validate() error {
	u.Login = strings.ToLower(strings.TrimSpace(FoldWidth(u.Login)))
	if err := CheckLogin(u.Login); err != nil {
		return err
	}
	u.Name = CleanName(u.Name)
	if err := CheckLine("name", u.Name); err != nil {
		return err
	}
	if u.Name == "" {
		return FieldError("name", "the name is missing")
	}
	phone, err := NormalizePhone(u.Phone)
	if err != nil {
		return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
	}
	u.Phone = phone
	if !u.Role.Valid() {
		return FieldError("role", "unknown role %q", u.Role)
	}
	if u.ScopeID <= 0 {
		return FieldError("scope_id", "a user needs a scope: the place they work under")
	}
	if u.Language == "" {
		u.Language = "zh-CN"
	}
	if u.Language != "zh-CN" && u.Language != "en" {
		return FieldError("language", "language must be zh-CN or en")
	}
	return nil
}

// ValidatePassword checks a new password: long enough to resist guessing
// when the hash leaks, without rules that push people to write it down.
func ValidatePassword(pw string) error {
	if n := len([]rune(pw)); n < 10 {
		return FieldError("password", "a password needs at least 10 characters")
	} else if n > 200 {
		return FieldError("password", "a password has at most 200 characters")
	}
	return nil
}

// Principal is who is calling: a signed-in user or a device token, with
// the role and scope that bound what they may do. Services read it from the
// context; a context without one is the system itself (the command line and
// background jobs), which the web layer never hands to a service on behalf
// of a request.
type Principal struct {
	UserID    int64
	TokenID   int64 // set for a device token
	Login     string
	Role      Role
	ScopeID   int64
	ScopePath string // the scope node's materialized path
	SessionID string // hash of the session, for logout
	Addr      string
}

// Can reports whether the principal has permission p.
func (p *Principal) Can(perm Permission) bool { return p != nil && p.Role.Can(perm) }

// InScope reports whether a node with the given path is inside the
// principal's scope.
func (p *Principal) InScope(path string) bool {
	return p != nil && p.ScopePath != "" && strings.HasPrefix(path, p.ScopePath)
}

// AtRoot reports whether the principal's scope is a root of the tree (a
// city command): what it takes to change what applies to the whole tree,
// such as the zone rules and the checklist template.
func (p *Principal) AtRoot() bool { return p != nil && len(PathIDs(p.ScopePath)) == 1 }

type principalKey struct{}

// WithPrincipal returns a context carrying p, and an Actor for the changes
// made under it.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	ctx = context.WithValue(ctx, principalKey{}, p)
	return WithActor(ctx, Actor{UserID: p.UserID, Name: p.Login, Addr: p.Addr})
}

// AsSystem returns a context that acts as the system, unlimited by any
// principal's permission or scope, keeping ctx's actor (who is recorded as
// having made the change). A workflow uses it for the consequences that
// belong to everyone (a lab's positive opens a case whose contacts lie
// outside the lab's scope); never for what a caller asked directly.
func AsSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, principalKey{}, (*Principal)(nil))
}

// PrincipalFrom returns the principal of ctx, or nil for the system.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Session is a signed-in browser. The cookie holds a random secret; the
// database holds only its hash, so a stolen backup signs no one in.
type Session struct {
	ID        string    `json:"-"` // hash of the secret
	UserID    int64     `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
	Addr      string    `json:"addr"`
	UserAgent string    `json:"user_agent"`
}

// Token is an API token for a device: a sampling station, a lab importer.
// Only its hash is stored; the secret is shown once at creation.
type Token struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	ScopeID   int64     `json:"scope_id"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	LastUsed  time.Time `json:"last_used,omitzero"`
}

// CheckLogin checks the shape of a folded login (see User.Validate): 3 to
// 40 lower-case letters, digits, '.', '_' and '-'.
func CheckLogin(login string) error {
	if len(login) < 3 || len(login) > 40 {
		return FieldError("login", "a login has 3 to 40 characters")
	}
	for _, r := range login {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return FieldError("login", "a login uses only letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// LoginPolicy bounds password guessing with three limits, each counted
// in the database so that it holds across every app server:
//   - one account from one client (MaxFailures within Window, then a lock
//     of LockFor): a person's typos lock only their own attempts, not
//     their colleagues' behind the same office address;
//   - one account from every client (AccountMaxFailures within
//     AccountWindow, then AccountLockFor): slower, against guessing spread
//     over many addresses;
//   - one client across accounts (AddressMaxFailures within Window, then
//     LockFor): against one address trying many logins. Carriers and
//     offices put many people behind one address, so it is generous.
type LoginPolicy struct {
	MaxFailures        int
	Window             time.Duration
	LockFor            time.Duration
	AccountMaxFailures int
	AccountWindow      time.Duration
	AccountLockFor     time.Duration
	AddressMaxFailures int
	SessionTTL         time.Duration // a session ends this long after its last use
	SessionMax         time.Duration // and at the latest this long after sign-in
}

// DefaultLoginPolicy is what Frontline uses unless configured otherwise.
var DefaultLoginPolicy = LoginPolicy{
	MaxFailures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute,
	AccountMaxFailures: 20, AccountWindow: time.Hour, AccountLockFor: 30 * time.Minute,
	AddressMaxFailures: 30,
	SessionTTL:         12 * time.Hour, SessionMax: 7 * 24 * time.Hour,
}

// WithDefaults returns p with its zero fields taken from
// DefaultLoginPolicy.
func (p LoginPolicy) WithDefaults() LoginPolicy {
	def := DefaultLoginPolicy
	pick := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	pickD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	pick(&p.MaxFailures, def.MaxFailures)
	pick(&p.AccountMaxFailures, def.AccountMaxFailures)
	pick(&p.AddressMaxFailures, def.AddressMaxFailures)
	pickD(&p.Window, def.Window)
	pickD(&p.LockFor, def.LockFor)
	pickD(&p.AccountWindow, def.AccountWindow)
	pickD(&p.AccountLockFor, def.AccountLockFor)
	pickD(&p.SessionTTL, def.SessionTTL)
	pickD(&p.SessionMax, def.SessionMax)
	return p
}

// Limit returns the policy's limit of a kind.
func (p LoginPolicy) Limit(kind LoginLimitKind) LoginLimit {
	switch kind {
	case LimitAccount:
		return LoginLimit{Max: p.AccountMaxFailures, Window: p.AccountWindow, LockFor: p.AccountLockFor}
	case LimitAddress:
		return LoginLimit{Max: p.AddressMaxFailures, Window: p.Window, LockFor: p.LockFor}
	}
	return LoginLimit{Max: p.MaxFailures, Window: p.Window, LockFor: p.LockFor}
}

// UserFilter selects users. Zero fields do not filter.
type UserFilter struct {
	ID            *int64
	Login         *string
	Under         *int64 // users whose scope is at or under this node
	Role          *Role
	Offset, Limit int
}

// UserUpdate changes a user. Nil fields are left as they are.
type UserUpdate struct {
	Name     *string
	Phone    *string
	Role     *Role
	ScopeID  *int64
	Disabled *bool
	Language *string
}

// Why a password was refused. The services wrap them in an *Error whose
// code and message are what a caller shows; these tell the cases apart
// with errors.Is, where the code alone does not (a sign-in answers
// EUNAUTHORIZED to all three), so no caller has to read the message.
var (
	// ErrWrongPassword: the password does not match, or the login does not
	// exist (a sign-in does not say which).
	ErrWrongPassword = errors.New("wrong password")
	// ErrLocked: too many wrong passwords for the account (or, at sign-in,
	// from the address) within the policy's window; even the right one is
	// refused until the lock ends.
	ErrLocked = errors.New("locked after too many wrong passwords")
	// ErrDisabled: the account is disabled.
	ErrDisabled = errors.New("account disabled")
)

// UserService manages users, sessions and device tokens.
//
// Calls made on behalf of a principal are limited to users whose scope is
// inside the principal's; others are ENOTFOUND. Granting a role above the
// principal's own, or a scope outside theirs, is EFORBIDDEN. Errors:
// EINVALID, ENOTFOUND, ECONFLICT (login taken), EFORBIDDEN,
// EUNAUTHORIZED (wrong password, locked, disabled, expired session). The
// refusals of a password wrap ErrWrongPassword, ErrLocked or ErrDisabled.
type UserService interface {
	CreateUser(ctx context.Context, u *User, password string) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	SetPassword(ctx context.Context, id int64, password string) error
	// ChangePassword replaces the signed-in user's own password once the
	// current one checks out, and ends their other sessions. A wrong
	// current password counts as a failed sign-in of the account and is
	// EINVALID on the field "current_password" (ErrWrongPassword); while
	// the account is locked even the right one is EFORBIDDEN on that field
	// (ErrLocked). The caller is signed in either way, so neither is
	// EUNAUTHORIZED. A weak new password is EINVALID on "password". A
	// context without a principal is EUNAUTHORIZED, a device token
	// EFORBIDDEN: neither has a password of its own. A password set by
	// someone else between the check and the change is ECONFLICT.
	ChangePassword(ctx context.Context, current, password string) error

	// Login checks a password, counting failures per account and per
	// address, and on success opens a session whose secret it returns.
	Login(ctx context.Context, login, password, addr, userAgent string) (*User, string, error)
	// Authenticate resolves a session secret to its principal, extending
	// the session; an expired or revoked session is EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (*Principal, error)
	// Logout ends one session; LogoutAll ends every session of a user.
	Logout(ctx context.Context, secret string) error
	LogoutAll(ctx context.Context, userID int64) error

	// CreateToken makes a device token and returns its secret, shown once.
	CreateToken(ctx context.Context, t *Token) (string, error)
	FindTokens(ctx context.Context, under int64) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64) error
	// AuthenticateToken resolves a device token secret to its principal.
	AuthenticateToken(ctx context.Context, secret string) (*Principal, error)
}

// ChangeFilter selects audit entries. Zero fields do not filter.
type ChangeFilter struct {
	Under    *int64 // entries about things under this node
	Actor    *string
	Entity   *string
	EntityID *int64
	Action   *string
	From, To time.Time
	Offset   int
	Limit    int
}
