package frontline

import (
	"context"
	"slices"
	"strings"
	"time"
)

// DateLayout is how dates without a time are written everywhere.
const DateLayout = "2006-01-02"

// Sex of a person, as recorded on their document.
type Sex string

// Sexes.
const (
	SexMale   Sex = "M"
	SexFemale Sex = "F"
)

// ParseSex reads 男/女/M/F (any case); empty input returns "".
func ParseSex(s string) (Sex, bool) {
	switch strings.ToUpper(strings.TrimSpace(FoldWidth(s))) {
	case "":
		return "", true
	case "男", "M", "MALE":
		return SexMale, true
	case "女", "F", "FEMALE":
		return SexFemale, true
	}
	return "", false
}

// Relation of a person to the head of their household (与户主关系).
type Relation string

// Relations.
const (
	RelHead       Relation = "head"
	RelSpouse     Relation = "spouse"
	RelChild      Relation = "child"
	RelParent     Relation = "parent"
	RelGrandchild Relation = "grandchild"
	RelSibling    Relation = "sibling"
	RelOther      Relation = "other"
)

// RelationLabels maps each relation to its Chinese label.
var RelationLabels = map[Relation]string{
	RelHead: "户主", RelSpouse: "配偶", RelChild: "子女", RelParent: "父母",
	RelGrandchild: "孙子女", RelSibling: "兄弟姐妹", RelOther: "其他",
}

// relationAliases are the other words offices write for a relation.
var relationAliases = map[string]Relation{
	"本人": RelHead, "妻": RelSpouse, "夫": RelSpouse, "妻子": RelSpouse, "丈夫": RelSpouse,
	"子": RelChild, "女": RelChild, "儿子": RelChild, "女儿": RelChild, "长子": RelChild, "长女": RelChild,
	"次子": RelChild, "次女": RelChild, "父亲": RelParent, "母亲": RelParent, "父": RelParent, "母": RelParent,
	"孙子": RelGrandchild, "孙女": RelGrandchild, "兄": RelSibling, "弟": RelSibling, "姐": RelSibling, "妹": RelSibling,
	"租户": RelOther, "亲属": RelOther,
}

// ParseRelation reads a relation from its code, label or a common alias;
// empty input returns "".
func ParseRelation(s string) (Relation, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for r, label := range RelationLabels {
		if s == string(r) || s == label {
			return r, true
		}
	}
	r, ok := relationAliases[s]
	return r, ok
}

// Flag marks a resident who needs attention in an outbreak.
type Flag string

// Vulnerability flags (特殊人群).
const (
	FlagLivingAlone     Flag = "living_alone"     // 独居老人
	FlagLimitedMobility Flag = "limited_mobility" // 行动不便
	FlagBedridden       Flag = "bedridden"        // 卧床
	FlagDialysis        Flag = "dialysis"         // 透析
	FlagPregnant        Flag = "pregnant"         // 孕产妇
	FlagChronic         Flag = "chronic"          // 慢性病
	FlagDisability      Flag = "disability"       // 残疾
	FlagInfant          Flag = "infant"           // 婴幼儿
)

// FlagOrder lists the flags in the order they are shown.
var FlagOrder = []Flag{
	FlagLivingAlone, FlagLimitedMobility, FlagBedridden, FlagDialysis,
	FlagPregnant, FlagChronic, FlagDisability, FlagInfant,
}

// FlagLabels maps each flag to the label offices use.
var FlagLabels = map[Flag]string{
	FlagLivingAlone: "独居老人", FlagLimitedMobility: "行动不便", FlagBedridden: "卧床",
	FlagDialysis: "透析", FlagPregnant: "孕产妇", FlagChronic: "慢性病",
	FlagDisability: "残疾", FlagInfant: "婴幼儿",
}

// ParseFlags reads flags separated by 、 , ; or spaces, as codes or labels.
// It returns the flags in FlagOrder, and the first word it did not know.
func ParseFlags(s string) ([]Flag, string) {
	words := strings.FieldsFunc(FoldWidth(s), func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '/'
	})
	var flags []Flag
	for _, w := range words {
		f, ok := parseFlag(w)
		if !ok {
			return nil, w
		}
		if !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	return SortFlags(flags), ""
}

func parseFlag(w string) (Flag, bool) {
	for f, label := range FlagLabels {
		if w == string(f) || w == label {
			return f, true
		}
	}
	return "", false
}

// SortFlags orders flags as FlagOrder does.
func SortFlags(flags []Flag) []Flag {
	slices.SortFunc(flags, func(a, b Flag) int {
		return slices.Index(FlagOrder, a) - slices.Index(FlagOrder, b)
	})
	return flags
}

// ResidenceStatus says whether a person lives at the household now.
type ResidenceStatus string

// Residence statuses (居住状态).
const (
	StatusResident  ResidenceStatus = "resident"  // 常住
	StatusTemporary ResidenceStatus = "temporary" // 暂住
	StatusAway      ResidenceStatus = "away"      // 外出
	StatusMovedOut  ResidenceStatus = "moved_out" // 迁出
)

// StatusLabels maps each status to its Chinese label.
var StatusLabels = map[ResidenceStatus]string{
	StatusResident: "常住", StatusTemporary: "暂住", StatusAway: "外出", StatusMovedOut: "迁出",
}

// ParseStatus reads a status from its code or label; empty is resident.
func ParseStatus(s string) (ResidenceStatus, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return StatusResident, true
	}
	for st, label := range StatusLabels {
		if s == string(st) || s == label {
			return st, true
		}
	}
	return "", false
}

// Counted reports whether a person of this status counts as a resident of
// their household in the tree's counts. A person who is away still lives
// there; one who moved out does not.
func (s ResidenceStatus) Counted() bool { return s != StatusMovedOut }

// Person is a resident registered in a household.
type Person struct {
	ID          int64           `json:"id"`
	HouseholdID int64           `json:"household_id"`
	Name        string          `json:"name"`
	Sex         Sex             `json:"sex,omitempty"`
	BirthDate   string          `json:"birth_date,omitempty"` // YYYY-MM-DD
	IDType      IDType          `json:"id_type"`
	IDNumber    string          `json:"-"` // never encoded whole: responses carry a masked copy
	Phone       string          `json:"-"` // never encoded whole: responses carry a masked copy
	Relation    Relation        `json:"relation,omitempty"`
	Flags       []Flag          `json:"flags,omitempty"`
	Status      ResidenceStatus `json:"status"`

	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`

	// Household is the household node, filled by finders that join it.
	Household *Place `json:"household,omitempty"`
}

// Vulnerable reports whether the person has any vulnerability flag.
func (p *Person) Vulnerable() bool { return len(p.Flags) > 0 }

// Counted reports whether the person counts in the tree's counts.
func (p *Person) Counted() bool { return p.Status.Counted() }

// Validate normalizes and checks a person. For a mainland ID the sex and
// birth date are derived from the number when absent, and a mismatch is an
// error. now bounds the birth date.
func (p *Person) Validate(now time.Time) error {
	p.Name = CleanName(p.Name)
	if err := CheckLine("name", p.Name); err != nil {
		return err
	}
	if p.Name == "" {
		return FieldError("name", "the name is missing")
	}
	if len([]rune(p.Name)) > 50 {
		return FieldError("name", "the name is longer than 50 characters")
	}
	if p.IDType == "" {
		p.IDType = IDMainland
	}
	if !p.IDType.Valid() {
		return FieldError("id_type", "unknown document type %q", p.IDType)
	}
	p.IDNumber = NormalizeIDNumber(p.IDNumber)
	if err := ValidateIDNumber(p.IDType, p.IDNumber, now); err != nil {
		return &Error{Code: EINVALID, Field: "id_number", Message: ErrorMessage(err)}
	}
	if p.IDType == IDNone && p.BirthDate == "" {
		// Without a number, name and birth date are what tell two people
		// of a household apart.
		return FieldError("birth_date", "a person without a document needs a birth date")
	}
	if err := p.validateBirthAndSex(now); err != nil {
		return err
	}
	phone, err := NormalizePhone(p.Phone)
	if err != nil {
		return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
	}
	p.Phone = phone
	if p.Relation != "" && RelationLabels[p.Relation] == "" {
		return FieldError("relation", "unknown relation %q", p.Relation)
	}
	for _, f := range p.Flags {
		if FlagLabels[f] == "" {
			return FieldError("flags", "unknown flag %q", f)
		}
	}
	p.Flags = SortFlags(p.Flags)
	if p.Status == "" {
		p.Status = StatusResident
	}
	if StatusLabels[p.Status] == "" {
		return FieldError("status", "unknown residence status %q", p.Status)
	}
	return nil
}

func (p *Person) validateBirthAndSex(now time.Time) error {
	if p.Sex != "" && p.Sex != SexMale && p.Sex != SexFemale {
		return FieldError("sex", "sex must be M or F")
	}
	if p.BirthDate != "" {
		d, err := time.Parse(DateLayout, p.BirthDate)
		if err != nil || d.After(now) || d.Year() < 1890 {
			return FieldError("birth_date", "%q is not a possible birth date (YYYY-MM-DD)", p.BirthDate)
		}
	}
	if p.IDType != IDMainland {
		return nil
	}
	id, _ := ParseMainlandID(p.IDNumber, now) // validated by the caller
	if p.Sex == "" {
		p.Sex = id.Sex
	} else if p.Sex != id.Sex {
		return FieldError("sex", "the sex does not match the ID number")
	}
	if p.BirthDate == "" {
		p.BirthDate = id.BirthDate
	} else if p.BirthDate != id.BirthDate {
		return FieldError("birth_date", "the birth date %s does not match the ID number (%s)", p.BirthDate, id.BirthDate)
	}
	return nil
}

// SamePersonWithoutDocument reports whether two persons without a
// document are the same person: the same name and birth date in the same
// household, and the same phone when both have one.
func SamePersonWithoutDocument(a, b *Person) bool {
	return a.IDType == IDNone && b.IDType == IDNone && a.HouseholdID == b.HouseholdID &&
		a.Name == b.Name && a.BirthDate == b.BirthDate && (a.Phone == "" || b.Phone == "" || a.Phone == b.Phone)
}

// PersonFilter selects persons. Zero fields do not filter.
type PersonFilter struct {
	ID          *int64
	HouseholdID *int64
	Under       *int64  // persons in households anywhere under this node
	Name        *string // a prefix of the name
	Phone       *string // the whole number
	// IDNumber matches the whole number, or its last characters when it is
	// shorter than a full number (at least 4).
	IDNumber      *string
	IncludeMoved  bool // include persons who moved out
	OnlyFlagged   bool // only persons with a vulnerability flag
	Offset, Limit int
}

// PersonUpdate changes a person. Nil fields are left as they are.
type PersonUpdate struct {
	Name      *string
	Sex       *Sex
	BirthDate *string
	IDType    *IDType
	IDNumber  *string
	Phone     *string
	Relation  *Relation
	Flags     *[]Flag
	Status    *ResidenceStatus
}

// Apply sets the non-nil fields of upd on p.
func (upd PersonUpdate) Apply(p *Person) {
	if upd.Name != nil {
		p.Name = *upd.Name
	}
	if upd.Sex != nil {
		p.Sex = *upd.Sex
	}
	if upd.BirthDate != nil {
		p.BirthDate = *upd.BirthDate
	}
	if upd.IDType != nil {
		p.IDType = *upd.IDType
	}
	if upd.IDNumber != nil {
		p.IDNumber = *upd.IDNumber
	}
	if upd.Phone != nil {
		p.Phone = *upd.Phone
	}
	if upd.Relation != nil {
		p.Relation = *upd.Relation
	}
	if upd.Flags != nil {
		p.Flags = slices.Clone(*upd.Flags)
	}
	if upd.Status != nil {
		p.Status = *upd.Status
	}
}

// PersonService manages residents.
//
// Errors: ENOTFOUND for an unknown person or household, EINVALID for a bad
// field (Error.Field names it) or a target that is not a household,
// ECONFLICT for an ID number that already belongs to another person.
type PersonService interface {
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	// FindPersons returns the matching persons ordered by household and
	// name, and the total count before paging.
	FindPersons(ctx context.Context, filter PersonFilter) ([]*Person, int, error)
	// CreatePerson adds a person to the household p.HouseholdID.
	CreatePerson(ctx context.Context, p *Person) error
	UpdatePerson(ctx context.Context, id int64, upd PersonUpdate) (*Person, error)
	// MovePerson moves a person to another household.
	MovePerson(ctx context.Context, id, householdID int64) (*Person, error)
	// PersonHistory returns the recorded changes of a person, newest first.
	PersonHistory(ctx context.Context, id int64) ([]*Change, error)
	// RevealPerson returns a person for showing their full ID number and
	// phone, and records the reveal in the audit log. It needs
	// PermRevealPerson (EFORBIDDEN otherwise).
	RevealPerson(ctx context.Context, id int64) (*Person, error)
	// WalkPersons calls fn for every match in household order, reading in
	// one snapshot without paging: for exports of a whole city. Offset and
	// Limit of the filter are ignored.
	WalkPersons(ctx context.Context, filter PersonFilter, fn func(*Person) error) error
}

// AuditService records reads of full personal data and other events that
// are not changes made through a service (those record themselves).
type AuditService interface {
	// Record appends c to the audit log; At, Actor, UserID and Addr are
	// filled from the context and the clock.
	Record(ctx context.Context, c *Change) error
	// FindChanges searches the log, newest first, within the caller's
	// scope, and returns the total before paging.
	FindChanges(ctx context.Context, f ChangeFilter) ([]*Change, int, error)
	// WalkChanges streams the matching entries, newest first, for exports.
	WalkChanges(ctx context.Context, f ChangeFilter, fn func(*Change) error) error
}

// Change is one recorded change of an entity: who, when, from where, and
// the fields before and after.
type Change struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	UserID   int64     `json:"user_id,omitempty"`
	Addr     string    `json:"addr,omitempty"`
	Action   string    `json:"action"` // create, update, move, delete, import, reveal
	Entity   string    `json:"entity"` // person, place, ...
	EntityID int64     `json:"entity_id"`
	// PlacePath is the materialized path of the place the entity was under
	// (a user's or token's scope node), which scopes searches of the log.
	PlacePath string         `json:"place_path,omitempty"`
	Before    map[string]any `json:"before,omitempty"`
	After     map[string]any `json:"after,omitempty"`
}
