package frontline

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// BagState is where a bag of tubes is.
type BagState string

// Bag states.
const (
	BagSealed   BagState = "sealed"   // packed and counted at the site
	BagReceived BagState = "received" // counted again at the lab
)

// Bag is a transport bag of sealed tubes (default 20). The count packed
// must match the system's before hand-off, and the lab counts again.
type Bag struct {
	ID        int64     `json:"id"`
	RoundID   int64     `json:"round_id"`
	Code      string    `json:"code"`
	StationID int64     `json:"station_id,omitempty"`
	Expected  int       `json:"expected"`
	TubeCodes []string  `json:"tubes"`
	State     BagState  `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`

	ReceivedAt time.Time `json:"received_at,omitzero"`
	ReceivedBy string    `json:"received_by,omitempty"`
	Received   int       `json:"received"`
	// Missing are tubes packed but not found at the lab; Extra were found
	// in the bag but were packed in another bag or none.
	Missing []string `json:"missing,omitempty"`
	Extra   []string `json:"extra,omitempty"`
}

// Discrepant reports whether the lab's count differs from the packing.
func (b *Bag) Discrepant() bool {
	return b.State == BagReceived && (len(b.Missing) > 0 || len(b.Extra) > 0 || b.Received != b.Expected)
}

// BagRequest packs sealed tubes into a bag. Count is what the person
// packing counted by hand; it must equal the tubes scanned.
type BagRequest struct {
	RoundID   int64    `json:"round_id"`
	StationID int64    `json:"station_id,omitempty"`
	Code      string   `json:"code"`
	Count     int      `json:"count"`
	TubeCodes []string `json:"tubes"`
}

// Validate normalizes the codes and checks the count.
func (r *BagRequest) Validate() error {
	code, err := NormalizeTubeCode(r.Code)
	if err != nil {
		return FieldError("code", "a bag code has 1 to %d letters, digits or '-'", MaxTubeCodeLen)
	}
	r.Code = code
	if r.RoundID <= 0 {
		return FieldError("round_id", "a bag belongs to a round")
	}
	if len(r.TubeCodes) == 0 || len(r.TubeCodes) > MaxBagSize {
		return FieldError("tubes", "a bag holds 1 to %d tubes", MaxBagSize)
	}
	if r.TubeCodes, err = normalizeTubeList(r.TubeCodes); err != nil {
		return err
	}
	for i, c := range r.TubeCodes {
		if slices.Contains(r.TubeCodes[:i], c) {
			return FieldError("tubes", "tube %s is scanned twice", c)
		}
	}
	if r.Count != len(r.TubeCodes) {
		return FieldError("count", "you counted %d tubes but scanned %d; count the bag again", r.Count, len(r.TubeCodes))
	}
	return nil
}

// normalizeTubeList normalizes scanned tube codes, naming the first bad one
// and its place in the list, so the person scanning finds it on the bag.
func normalizeTubeList(codes []string) ([]string, error) {
	out := make([]string, len(codes))
	for i, c := range codes {
		code, err := NormalizeTubeCode(c)
		if err != nil {
			return nil, FieldError("tubes", "tube %d of the list, %q: %s", i+1, strings.TrimSpace(c), ErrorMessage(err))
		}
		out[i] = code
	}
	return out, nil
}

// BagReceipt is the lab's count of a bag: the tubes scanned out of it, or
// only their number when the lab does not scan each. One of the two is
// needed: a receipt with neither would record the bag as arrived empty
// without anyone having counted it. Count is a pointer so that a count of
// zero (a bag that arrived empty) differs from no count.
type BagReceipt struct {
	Code      string   `json:"code"`
	Count     *int     `json:"count,omitempty"`
	TubeCodes []string `json:"tubes,omitempty"`
	// RoundID, when set, is the round the lab is receiving for (the lab
	// page of a round); a bag of another round is refused.
	RoundID int64 `json:"round_id,omitempty"`
}

// Validate normalizes the codes and checks that the receipt counts the
// bag: a count, a list of tubes, or both when they agree.
func (r *BagReceipt) Validate() error {
	code, err := NormalizeTubeCode(r.Code)
	if err != nil {
		return FieldError("code", "a bag code has 1 to %d letters, digits or '-'", MaxTubeCodeLen)
	}
	r.Code = code
	if len(r.TubeCodes) > MaxBagSize {
		return FieldError("tubes", "a bag holds at most %d tubes", MaxBagSize)
	}
	if r.TubeCodes, err = normalizeTubeList(r.TubeCodes); err != nil {
		return err
	}
	// A tube scanned twice out of one bag is one tube found.
	var found []string
	for _, c := range r.TubeCodes {
		if !slices.Contains(found, c) {
			found = append(found, c)
		}
	}
	r.TubeCodes = found
	switch {
	case r.Count == nil && len(r.TubeCodes) == 0:
		return FieldError("count", "scan the tubes out of bag %s or enter how many you found", r.Code)
	case r.Count != nil && (*r.Count < 0 || *r.Count > MaxBagSize):
		return FieldError("count", "a bag holds 0 to %d tubes, not %d", MaxBagSize, *r.Count)
	case r.Count != nil && len(r.TubeCodes) > 0 && *r.Count != len(r.TubeCodes):
		return FieldError("count", "you counted %d tubes but scanned %d; count the bag again", *r.Count, len(r.TubeCodes))
	}
	return nil
}

// Reconcile compares the tubes packed into a bag with those found in it.
// Both results are sorted.
func Reconcile(packed, found []string) (missing, extra []string) {
	for _, c := range packed {
		if !slices.Contains(found, c) {
			missing = append(missing, c)
		}
	}
	for _, c := range found {
		if !slices.Contains(packed, c) {
			extra = append(extra, c)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

// ResultRow is one tube's result as a lab posts it.
type ResultRow struct {
	Row      int        `json:"row,omitempty"` // line in an uploaded file
	TubeCode string     `json:"tube"`
	Result   TubeResult `json:"result"`
}

// ResultSummary says what a results post did.
type ResultSummary struct {
	Posted    int `json:"posted"`
	Unchanged int `json:"unchanged"` // the same result posted again
	Negative  int `json:"negative"`
	Positive  int `json:"positive"`
	Invalid   int `json:"invalid"`
	// Persons counts the persons the results reached; Awaiting those put
	// in follow-up for a single re-test.
	Persons  int           `json:"persons"`
	Awaiting int           `json:"awaiting"`
	Errors   []ResultError `json:"errors,omitempty"`
	// Cases are the ids of the cases the post opened.
	Cases []int64 `json:"cases,omitempty"`
	// Held are the results for tubes the lab had not received: kept, not
	// carried to anyone, until a person decides (LabService.DecideHeldResult).
	Held []*HeldResult `json:"held,omitempty"`
}

// ResultError is a refused row of a results post: where it is (the row of
// the file, the column by its header), the tube when it is known, what
// was found there, and why, as a code pages translate and as an English
// message for API clients.
type ResultError struct {
	Row      int          `json:"row,omitempty"`
	Column   string       `json:"column,omitempty"`
	TubeCode string       `json:"tube"`
	Value    string       `json:"value,omitempty"`
	Reason   ResultReason `json:"reason"`
	Message  string       `json:"message"`
}

// ResultReason says why a results row was refused.
type ResultReason string

// Reasons a results row is refused.
const (
	ReasonUnreadable  ResultReason = "unreadable"   // the line is not CSV
	ReasonColumns     ResultReason = "columns"      // the row lacks the tube or result column
	ReasonTubeCode    ResultReason = "tube_code"    // the tube cell is not a tube code (Value)
	ReasonResult      ResultReason = "result"       // the result cell is no result word (Value)
	ReasonUnknownTube ResultReason = "unknown_tube" // no such tube (or outside the caller's scope)
	ReasonTubeOpen    ResultReason = "tube_open"    // the tube is still open at its station
	ReasonHasResult   ResultReason = "has_result"   // the tube has another result (Value)
	ReasonHeld        ResultReason = "held"         // another result for the tube waits for a decision (Value)
)

// ResultReasons lists every reason, for pages that translate them.
var ResultReasons = []ResultReason{ReasonUnreadable, ReasonColumns, ReasonTubeCode, ReasonResult,
	ReasonUnknownTube, ReasonTubeOpen, ReasonHasResult, ReasonHeld}

// resultWords maps what lab files write to results.
var resultWords = map[string]TubeResult{
	"negative": ResultNegative, "neg": ResultNegative, "阴性": ResultNegative, "-": ResultNegative,
	"positive": ResultPositive, "pos": ResultPositive, "阳性": ResultPositive, "+": ResultPositive,
	"invalid": ResultInvalid, "无效": ResultInvalid, "不合格": ResultInvalid,
}

// ParseResult reads a result word in English or Chinese.
func ParseResult(s string) (TubeResult, bool) {
	r, ok := resultWords[strings.ToLower(strings.TrimSpace(FoldWidth(s)))]
	return r, ok
}

// Header names the results file's columns may have.
var (
	tubeHeaders   = []string{"tube", "tube_code", "管码", "采样管编码", "试管编码"}
	resultHeaders = []string{"result", "结果", "检测结果"}
)

// resultsLayout is where a results file keeps its two columns, and what
// its header calls them.
type resultsLayout struct {
	tubeCol, resultCol   int
	tubeName, resultName string
}

// ParseResultsCSV reads a lab's results file: a header row naming a tube
// column (tube, 管码, 采样管编码) and a result column (result, 结果), then one
// row per tube. Each line is read on its own and leniently (stray quotes
// are taken as text, rows may have any number of fields), so one bad line
// is one row error and never holds back or swallows the lines after it;
// rows are numbered as the lines of the file, as a spreadsheet shows them.
// Only a file without that header, or longer than MaxResultsUpload rows,
// is refused as a whole.
func ParseResultsCSV(r io.Reader) ([]ResultRow, []ResultError, error) {
	sc := bufio.NewScanner(stripBOM(r))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var layout *resultsLayout
	var rows []ResultRow
	var bad []ResultError
	for line := 1; sc.Scan(); line++ {
		rec, err := readCSVLine(sc.Text())
		if err == nil && blankRecord(rec) {
			continue
		}
		if layout == nil {
			if layout = findResultsLayout(rec); layout == nil {
				return nil, nil, FieldError("file", "line %d: the header needs a tube column (tube/管码) and a result column (result/结果)", line)
			}
			continue
		}
		if len(rows)+len(bad) >= MaxResultsUpload {
			return nil, nil, FieldError("file", "at most %d rows in one upload", MaxResultsUpload)
		}
		if err != nil {
			bad = append(bad, ResultError{Row: line, Reason: ReasonUnreadable, Message: "the line is not CSV: " + err.Error()})
			continue
		}
		row, rerr := layout.parse(rec, line)
		if rerr != nil {
			bad = append(bad, *rerr)
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, FieldError("file", "the results file cannot be read: %v", err)
	}
	if layout == nil {
		return nil, nil, FieldError("file", "the results file is empty; it needs a header with a tube column (tube/管码) and a result column (result/结果)")
	}
	return rows, bad, nil
}

// readCSVLine splits one line of a CSV file into its fields.
func readCSVLine(line string) ([]string, error) {
	cr := csv.NewReader(strings.NewReader(line))
	cr.LazyQuotes, cr.FieldsPerRecord = true, -1
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	return rec, err
}

// blankRecord reports whether a line holds nothing: spreadsheets write
// empty rows as a line of commas.
func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// findResultsLayout finds the tube and result columns in a header, or
// returns nil.
func findResultsLayout(header []string) *resultsLayout {
	l := &resultsLayout{tubeCol: -1, resultCol: -1}
	for i, h := range header {
		name := strings.TrimSpace(h)
		switch key := strings.ToLower(name); {
		case slices.Contains(tubeHeaders, key) && l.tubeCol < 0:
			l.tubeCol, l.tubeName = i, name
		case slices.Contains(resultHeaders, key) && l.resultCol < 0:
			l.resultCol, l.resultName = i, name
		}
	}
	if l.tubeCol < 0 || l.resultCol < 0 {
		return nil
	}
	return l
}

// parse reads one row of the file.
func (l *resultsLayout) parse(rec []string, line int) (ResultRow, *ResultError) {
	if len(rec) <= max(l.tubeCol, l.resultCol) {
		missing := l.resultName
		if len(rec) <= l.tubeCol {
			missing = l.tubeName
		}
		return ResultRow{}, &ResultError{Row: line, Column: missing, Reason: ReasonColumns,
			Message: fmt.Sprintf("the row has %d columns; it needs the tube column %q (column %d) and the result column %q (column %d)",
				len(rec), l.tubeName, l.tubeCol+1, l.resultName, l.resultCol+1)}
	}
	cell := strings.TrimSpace(rec[l.tubeCol])
	code, err := NormalizeTubeCode(cell)
	if err != nil {
		return ResultRow{}, &ResultError{Row: line, Column: l.tubeName, TubeCode: cell, Value: cell, Reason: ReasonTubeCode,
			Message: fmt.Sprintf("tube code %q: %s", cell, ErrorMessage(err))}
	}
	word := strings.TrimSpace(rec[l.resultCol])
	res, ok := ParseResult(word)
	if !ok {
		return ResultRow{}, &ResultError{Row: line, Column: l.resultName, TubeCode: code, Value: word, Reason: ReasonResult,
			Message: fmt.Sprintf("unknown result %q; write negative, positive or invalid (阴性/阳性/无效)", word)}
	}
	return ResultRow{Row: line, TubeCode: code, Result: res}, nil
}

// stripBOM drops the byte-order mark Excel writes at the start of UTF-8.
func stripBOM(r io.Reader) io.Reader {
	buf := make([]byte, 3)
	n, _ := io.ReadFull(r, buf)
	if n == 3 && string(buf) == "\xef\xbb\xbf" {
		return r
	}
	return io.MultiReader(strings.NewReader(string(buf[:n])), r)
}

// RetestStatus is where a home re-sampling task is.
type RetestStatus string

// Re-test statuses.
const (
	RetestOpen    RetestStatus = "open"    // the home sampling team should go
	RetestSampled RetestStatus = "sampled" // sampled into a single tube, awaiting the result
	RetestDone    RetestStatus = "done"    // the single result is in
	// RetestCancelled is a home task withdrawn before the team went: the
	// excusal was undone or changed to another reason.
	RetestCancelled RetestStatus = "cancelled"
)

// RetestKind is why the home sampling team goes to a person.
type RetestKind string

// Task kinds.
const (
	// KindRetest re-samples singly a person of a positive or invalid tube.
	KindRetest RetestKind = "retest"
	// KindHome samples a person who cannot come down (excused with
	// ExcuseHomeSampling). Until sampled they are pending, not excused:
	// the round is not done, and no zone is cleared, without them.
	KindHome RetestKind = "home"
)

// RetestTask sends the home sampling team to one person: to re-sample
// them singly after a positive or invalid pool, or to sample them at home
// because they cannot come down.
type RetestTask struct {
	ID          int64        `json:"id"`
	RoundID     int64        `json:"round_id"`
	Kind        RetestKind   `json:"kind"`
	PersonID    int64        `json:"person_id"`
	PersonName  string       `json:"person_name"`
	IDNumber    string       `json:"id_number,omitempty"` // masked
	Flags       []Flag       `json:"flags,omitempty"`
	HouseholdID int64        `json:"household_id"`
	Address     string       `json:"address"`               // the household's path of names below the round's scope
	SourceTube  string       `json:"source_tube,omitempty"` // none for a home task
	Status      RetestStatus `json:"status"`
	TubeCode    string       `json:"tube_code,omitempty"`
	Result      TubeResult   `json:"result,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	SampledAt   time.Time    `json:"sampled_at,omitzero"`
	SampledBy   string       `json:"sampled_by,omitempty"`
	DoneAt      time.Time    `json:"done_at,omitzero"`
}

// RetestFilter selects re-test tasks. Zero fields do not filter.
type RetestFilter struct {
	ID      *int64
	RoundID *int64
	Under   *int64 // households under this node
	Status  *RetestStatus
	// Active selects the tasks the team still has to do or wait for:
	// open or sampled (Status is then ignored).
	Active bool
	Offset int
	Limit  int
}

// RetestHome is one household the home sampling team goes to: its
// address, its tasks, and its members with a vulnerability flag, whom the
// team should know about before knocking (a bedridden elder behind the
// door of a positive pool).
type RetestHome struct {
	HouseholdID int64          `json:"household_id"`
	Address     string         `json:"address"`
	Tasks       []*RetestTask  `json:"tasks"`
	Vulnerable  []HomeResident `json:"vulnerable,omitempty"`
}

// HomeResident is a resident of a household as the home team sees them:
// name, masked ID number, flags.
type HomeResident struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"` // masked
	Flags    []Flag `json:"flags,omitempty"`
}

// LabService moves tubes from the sampling site to the lab and results
// back to every person.
//
// Errors: ENOTFOUND for an unknown bag, tube or task; EINVALID for a bad
// field; ECONFLICT for a tube in the wrong state (packing an open tube, a
// second different result); EFORBIDDEN without the permission each method
// names.
type LabService interface {
	// BagTubes packs sealed tubes into a bag (PermSampling). The same bag
	// sent again (same code, same tubes) is answered with the bag packed,
	// so a station may retry; the code with other tubes is EINVALID.
	BagTubes(ctx context.Context, req *BagRequest) (*Bag, error)
	// FindBag returns a bag with its tubes (PermSampling or PermPostResults).
	FindBag(ctx context.Context, code string) (*Bag, error)
	// ReceiveBag records the lab's count and lists the discrepancies
	// (PermPostResults).
	ReceiveBag(ctx context.Context, r BagReceipt) (*Bag, error)
	// FindBags lists the bags of a round, discrepant ones first.
	FindBags(ctx context.Context, roundID int64) ([]*Bag, error)
	// PostResults records results per tube and carries each to the persons
	// in the tube; a positive or invalid pool puts them in follow-up with
	// a home re-test task each (PermPostResults). Rows refused are listed
	// in the summary. A result for a tube the lab never received, or that
	// was missing from its bag, is held (ResultHold) and listed in the
	// summary; posting it again holds nothing more.
	PostResults(ctx context.Context, rows []ResultRow) (*ResultSummary, error)
	// FindHeldResults lists a round's held results waiting for a decision
	// (PermPostResults).
	FindHeldResults(ctx context.Context, roundID int64) ([]*HeldResult, error)
	// DecideHeldResult records the caller's decision on a held result
	// (PermPostResults): accepting records the tube received by them and
	// carries the result as PostResults does; rejecting drops the result.
	// A result decided already is ECONFLICT.
	DecideHeldResult(ctx context.Context, id int64, accept bool) (*HeldResult, *ResultSummary, error)
	// FindLabWork lists, per round the caller sees, what waits at the lab
	// (PermPostResults); rounds with nothing waiting are left out.
	FindLabWork(ctx context.Context) ([]*LabWork, error)
	// FindRetests lists re-test tasks with addresses and vulnerable flags
	// (PermReadReports or PermSampling).
	FindRetests(ctx context.Context, f RetestFilter) ([]*RetestTask, int, error)
	// FindRetestHomes lists the tasks of f by household, households in
	// address order, paged by household; the total counts households
	// (PermReadReports or PermSampling).
	FindRetestHomes(ctx context.Context, f RetestFilter) ([]*RetestHome, int, error)
	// SampleRetest records a person of a task sampled into a single tube
	// by the home team (PermSampling). A home task's person becomes
	// sampled in the round, bound to that tube.
	SampleRetest(ctx context.Context, taskID int64, tubeCode string) (*RetestTask, error)
}
