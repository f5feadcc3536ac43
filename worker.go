package frontline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WorkerKind is where a worker comes from, as the report lists the people
// who did the work.
type WorkerKind string

// Worker kinds.
const (
	WorkerCommunity  WorkerKind = "community_staff"  // 社区干部: secretary and staff of the community
	WorkerGrid       WorkerKind = "grid_worker"      // 网格员
	WorkerVolunteer  WorkerKind = "volunteer"        // 志愿者, Party-member volunteers among them
	WorkerSentDown   WorkerKind = "sent_down"        // 下沉干部 from the subdistrict
	WorkerDepartment WorkerKind = "department_staff" // cadres of a department, e.g. 区林草局
	WorkerSampler    WorkerKind = "medical_sampler"  // 医护采样人员
	WorkerDriver     WorkerKind = "driver"           // 司机
)

// WorkerKinds lists the kinds in the order pages offer them.
var WorkerKinds = []WorkerKind{WorkerCommunity, WorkerGrid, WorkerVolunteer, WorkerSentDown, WorkerDepartment, WorkerSampler, WorkerDriver}

// WorkerKindLabels maps each kind to its Chinese label, as lists name it.
var WorkerKindLabels = map[WorkerKind]string{
	WorkerCommunity: "社区干部", WorkerGrid: "网格员", WorkerVolunteer: "志愿者", WorkerSentDown: "下沉干部",
	WorkerDepartment: "部门干部", WorkerSampler: "医护采样人员", WorkerDriver: "司机",
}

// ParseWorkerKind reads a kind as lists write it: the code or the label,
// and a few words offices use.
func ParseWorkerKind(s string) (WorkerKind, bool) {
	s = strings.TrimSpace(FoldWidth(s))
	for k, l := range WorkerKindLabels {
		if s == string(k) || s == l {
			return k, true
		}
	}
	switch s {
	case "社区工作人员", "社区", "社区书记":
		return WorkerCommunity, true
	case "党员志愿者", "志愿服务":
		return WorkerVolunteer, true
	case "下派干部", "包抓干部":
		return WorkerSentDown, true
	case "部门", "单位干部", "机关干部":
		return WorkerDepartment, true
	case "采样员", "医务人员", "医护":
		return WorkerSampler, true
	}
	return "", false
}

// NeedsUnit reports whether workers of the kind come from a unit that
// must be named: cadres sent down and department staff come as a unit,
// with their leader, and the roster keeps them together.
func (k WorkerKind) NeedsUnit() bool { return k == WorkerSentDown || k == WorkerDepartment }

// Skills a post may need. Languages are "lang:" and the language's name
// ("lang:英语", "lang:藏语").
const (
	SkillSampling = "sampling"  // qualified to take swabs
	SkillDriving  = "driving"   // may drive the community's vehicles
	SkillFirstAid = "first_aid" // 急救
	SkillLanguage = "lang:"
)

// SkillLabels maps the fixed skills to their Chinese labels.
var SkillLabels = map[string]string{SkillSampling: "采样资质", SkillDriving: "驾驶", SkillFirstAid: "急救"}

// ParseSkill reads one skill as a list writes it: the code, the label, or
// a language ("英语", "lang:英语", "会英语").
func ParseSkill(s string) (string, bool) {
	s = strings.TrimSpace(FoldWidth(s))
	for k, l := range SkillLabels {
		if s == k || s == l {
			return k, true
		}
	}
	switch s {
	case "采样", "核酸采样", "采样员":
		return SkillSampling, true
	case "驾照", "开车", "司机":
		return SkillDriving, true
	case "急救证", "救护":
		return SkillFirstAid, true
	}
	lang, ok := strings.CutPrefix(s, SkillLanguage)
	if !ok {
		lang, ok = strings.CutPrefix(s, "会")
	}
	if !ok && (strings.HasSuffix(s, "语") || strings.HasSuffix(s, "话")) {
		lang, ok = s, true
	}
	lang = CleanName(lang)
	if !ok || lang == "" || len([]rune(lang)) > 20 {
		return "", false
	}
	return SkillLanguage + lang, true
}

// NormalizeSkills checks, de-duplicates and sorts skills; field names the
// input in an error.
func NormalizeSkills(skills []string, field string) ([]string, error) {
	out := make([]string, 0, len(skills))
	for _, s := range skills {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, ok := ParseSkill(s)
		if !ok {
			return nil, FieldError(field, "unknown skill %q (sampling, driving, first_aid, or a language such as lang:英语)", s)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// HasSkills reports whether have holds every skill of need.
func HasSkills(have, need []string) bool {
	for _, n := range need {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

// Worker is one person who works in the response, with an account or
// without one: the community's staff and grid workers, volunteers, cadres
// sent down from the subdistrict and from departments, samplers, drivers.
// A worker belongs to the node whose registry holds them (a community,
// or a subdistrict for its pool of cadres); who may manage them follows
// from that node.
type Worker struct {
	ID      int64      `json:"id"`
	PlaceID int64      `json:"place_id"`
	Place   *Place     `json:"place,omitempty"`
	Name    string     `json:"name"`
	Phone   string     `json:"-"` // never encoded whole; pages and the API mask it
	Kind    WorkerKind `json:"kind"`
	// Unit is the home unit of cadres and department staff (区林草局);
	// others may leave it empty.
	Unit   string   `json:"unit,omitempty"`
	Skills []string `json:"skills"`
	// UserID is the account that signs in as this worker, 0 for none;
	// Login is its login, filled by finders.
	UserID int64  `json:"user_id,omitempty"`
	Login  string `json:"login,omitempty"`
	// Days are the dates (YYYY-MM-DD) the worker is available, as a
	// department's list gives them; empty means every day. Off are days
	// off, which win over Days.
	Days []string `json:"days,omitempty"`
	Off  []string `json:"off,omitempty"`
	// LastNegative is when the worker's latest negative test was sampled;
	// zero for none. Posts that meet residents need a recent one.
	LastNegative time.Time `json:"last_negative,omitzero"`
	Note         string    `json:"note,omitempty"`
	Retired      bool      `json:"retired"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// MaxWorkerDays bounds the dates a worker's availability lists.
const MaxWorkerDays = 366

// Validate normalizes and checks the fields a caller sets.
func (w *Worker) Validate() error {
	w.Name = CleanName(w.Name)
	if w.Name == "" || len([]rune(w.Name)) > 50 {
		return FieldError("name", "a worker needs a name of at most 50 characters")
	}
	phone, err := NormalizePhone(w.Phone)
	if err != nil {
		return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
	}
	w.Phone = phone
	if WorkerKindLabels[w.Kind] == "" {
		return FieldError("kind", "unknown kind %q (community_staff, grid_worker, volunteer, sent_down, department_staff, medical_sampler, driver)", w.Kind)
	}
	w.Unit = CleanName(w.Unit)
	if w.Kind.NeedsUnit() && w.Unit == "" {
		return FieldError("unit", "%s comes from a unit: name it (e.g. 区林草局)", w.Name)
	}
	if len([]rune(w.Unit)) > 60 {
		return FieldError("unit", "the unit's name is longer than 60 characters")
	}
	if w.Skills, err = NormalizeSkills(w.Skills, "skills"); err != nil {
		return err
	}
	if w.Days, err = normalizeDays(w.Days, "days"); err != nil {
		return err
	}
	if w.Off, err = normalizeDays(w.Off, "off"); err != nil {
		return err
	}
	if w.Note = strings.TrimSpace(w.Note); len([]rune(w.Note)) > 200 {
		return FieldError("note", "the note is longer than 200 characters")
	}
	if w.PlaceID <= 0 {
		return FieldError("place_id", "a worker belongs to a place: the community or office whose list holds them")
	}
	return nil
}

// normalizeDays checks, sorts and de-duplicates dates.
func normalizeDays(days []string, field string) ([]string, error) {
	out := make([]string, 0, len(days))
	for _, d := range days {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if !validDate(d) {
			return nil, FieldError(field, "%q is not a date (YYYY-MM-DD)", d)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxWorkerDays {
		return nil, FieldError(field, "at most %d dates", MaxWorkerDays)
	}
	return out, nil
}

// AvailableOn reports whether the worker may work on day (YYYY-MM-DD): not
// retired, not off that day, and the day among their dates when they list
// any.
func (w *Worker) AvailableOn(day string) bool {
	if w.Retired || slices.Contains(w.Off, day) {
		return false
	}
	return len(w.Days) == 0 || slices.Contains(w.Days, day)
}

// TestedWithin reports whether the worker's latest negative test was
// sampled at most within before at: what a post that meets residents asks
// of the people on it.
func (w *Worker) TestedWithin(at time.Time, within time.Duration) bool {
	return !w.LastNegative.IsZero() && !w.LastNegative.After(at) && at.Sub(w.LastNegative) <= within
}

// Label is the worker as duty tables name them: the name and, for a
// cadre, the unit ("王林（区林草局）").
func (w *Worker) Label() string {
	if w.Unit != "" {
		return w.Name + "（" + w.Unit + "）"
	}
	return w.Name
}

// WorkerFilter selects workers. Zero fields do not filter.
type WorkerFilter struct {
	ID     *int64
	Under  *int64 // workers of this node or any node under it
	Kind   *WorkerKind
	Unit   *string
	UserID *int64
	// Query matches the name, or the phone's digits.
	Query string
	// Skills selects workers with every one of them.
	Skills []string
	// AvailableOn selects workers available on the day (YYYY-MM-DD).
	AvailableOn string
	WithRetired bool
	Offset      int
	Limit       int
}

// WorkerUpdate changes a worker. Nil fields are left as they are.
type WorkerUpdate struct {
	Name         *string
	Phone        *string
	Kind         *WorkerKind
	Unit         *string
	Skills       *[]string
	Days         *[]string
	Off          *[]string
	LastNegative *time.Time
	Note         *string
	Retired      *bool
	// UserID links an account (0 unlinks it).
	UserID *int64
}

// Apply changes w as upd says.
func (upd WorkerUpdate) Apply(w *Worker) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&w.Name, upd.Name)
	set(&w.Phone, upd.Phone)
	set(&w.Unit, upd.Unit)
	set(&w.Note, upd.Note)
	if upd.Kind != nil {
		w.Kind = *upd.Kind
	}
	if upd.Skills != nil {
		w.Skills = slices.Clone(*upd.Skills)
	}
	if upd.Days != nil {
		w.Days = slices.Clone(*upd.Days)
	}
	if upd.Off != nil {
		w.Off = slices.Clone(*upd.Off)
	}
	if upd.LastNegative != nil {
		w.LastNegative = upd.LastNegative.UTC()
	}
	if upd.Retired != nil {
		w.Retired = *upd.Retired
	}
	if upd.UserID != nil {
		w.UserID = *upd.UserID
	}
}

// WorkerRow is one parsed row of a worker list a department sends, or the
// problems found in it.
type WorkerRow struct {
	Row    int
	Worker Worker
	Errors []RowError
	// Columns names the column of each field as the file labels it
	// ("C (电话)"), so a problem the service finds names it too.
	Columns map[string]string
}

// WorkerImportResult says what an import did, or would do.
type WorkerImportResult struct {
	Rows    int        `json:"rows"`
	Created int        `json:"created"`
	Updated int        `json:"updated"`
	Linked  int        `json:"linked"` // accounts linked by name and phone
	Errors  []RowError `json:"errors,omitempty"`
	DryRun  bool       `json:"dry_run"`
}

// WorkerImport says how a list is imported: under which node the workers
// are registered, with what kind and unit when the list leaves them out
// (a department's list of its own cadres), and whether only to check.
type WorkerImport struct {
	PlaceID int64
	Kind    WorkerKind
	Unit    string
	DryRun  bool
}

// WorkerKey is how an import recognises a worker it has seen before, so
// importing a list twice does not register anyone twice: the phone when
// there is one, else the name within the unit.
func WorkerKey(w *Worker) string {
	if w.Phone != "" {
		return "phone:" + w.Phone
	}
	return "name:" + w.Name + "|" + w.Unit
}

// WorkerService keeps the registry of workers.
//
// Reading and changing workers needs PermManageWorkforce, within the
// caller's scope (a worker is in scope when their node is); a caller with
// PermDuty reads their own worker (WorkerForUser). Phones come whole from
// the service; pages and the API mask them unless the reader has
// PermRevealPerson.
//
// Errors: EINVALID for a bad field (Error.Field names it) or a bad list
// (the result lists every row's problems and nothing is written);
// ENOTFOUND for a worker, node or account that does not exist or is
// outside the scope; ECONFLICT for a phone already registered under the
// same node, or an account linked to another worker; EFORBIDDEN.
type WorkerService interface {
	CreateWorker(ctx context.Context, w *Worker) error
	FindWorkerByID(ctx context.Context, id int64) (*Worker, error)
	// FindWorkers returns matching workers by name, and the total before
	// paging.
	FindWorkers(ctx context.Context, f WorkerFilter) ([]*Worker, int, error)
	UpdateWorker(ctx context.Context, id int64, upd WorkerUpdate) (*Worker, error)
	// WorkerForUser returns the worker linked to an account; ENOTFOUND
	// when none is. Any signed-in user may ask for their own.
	WorkerForUser(ctx context.Context, userID int64) (*Worker, error)
	// ImportWorkers registers the rows of a list in one transaction, or
	// none when any row is bad. A row whose worker is registered already
	// (WorkerKey) updates them: their dates are added, their phone, kind,
	// unit and skills refreshed.
	// A new worker whose name and phone are those of exactly one account
	// in scope that has no worker is linked to it.
	ImportWorkers(ctx context.Context, rows []WorkerRow, opts WorkerImport) (*WorkerImportResult, error)
}

// String names the worker in logs and messages.
func (w *Worker) String() string { return fmt.Sprintf("%s (#%d)", w.Label(), w.ID) }
