package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// The setup of a checkpoint on its page: the checklist, the material
// ledger, the shifts and the status, with forms for those who may set it
// up (checkpoints.manage). Each form posts, and on success goes back to
// the page's setup section; a refused form comes back with what was typed
// and the message beside the field.

// setupView is the setup section of the checkpoint page.
type setupView struct {
	CanManage bool
	// Unfolded: the section starts open (being set up, or a form was just
	// used).
	Unfolded bool
	// Saved is the message id of what was just saved, "" for none.
	Saved string
	// Gaps are what keeps the checkpoint from opening, in the page's
	// language; empty once it may open.
	Gaps      []string
	Balances  []balanceRow
	Entries   []ledgerRow // newest first
	Materials []*frontline.ChecklistItem
	Tasks     []*frontline.ChecklistItem
	// Statuses are those the checkpoint may be moved to from its own.
	Statuses []string
	// One form each; only the one just posted holds values or errors.
	Status, Item, Ledger form
	LedgerKinds          []string
	// Roster links the checkpoint's post, where its shifts are staffed,
	// when the server serves the roster.
	Roster bool
}

// balanceRow is a material's balance as the page shows it: what came in
// (issued and restocked) and went out (used and returned).
type balanceRow struct {
	*frontline.Balance
	In, Out int
}

// ledgerRow is a ledger entry with its material's name and unit.
type ledgerRow struct {
	*frontline.LedgerEntry
	Name, Unit string
}

// setupEntries is how many ledger entries the section shows.
const setupEntries = 10

// newSetupView returns the setup section of c with empty forms.
func (s *Server) newSetupView(r *http.Request, c *frontline.Checkpoint) setupView {
	v := setupView{CanManage: callerFrom(r.Context()).principal.Can(frontline.PermManageCheckpoints),
		Unfolded: c.Status == frontline.CheckpointSettingUp,
		Status:   newForm(), Item: newForm(), Ledger: newForm(), Roster: s.Roster != nil,
		LedgerKinds: []string{string(frontline.LedgerIssued), string(frontline.LedgerRestocked), string(frontline.LedgerUsed), string(frontline.LedgerReturned)},
	}
	for _, st := range []frontline.CheckpointStatus{frontline.CheckpointOpen, frontline.CheckpointSettingUp, frontline.CheckpointClosed} {
		if st != c.Status {
			v.Statuses = append(v.Statuses, string(st))
		}
	}
	for _, it := range c.Checklist {
		if it.Kind == frontline.ItemMaterial {
			v.Materials = append(v.Materials, it)
		} else {
			v.Tasks = append(v.Tasks, it)
		}
	}
	v.Item.Values["item_kind"] = string(frontline.ItemMaterial)
	v.Ledger.Values["ledger_kind"] = string(frontline.LedgerIssued)
	return v
}

// localMinute is the format of <input type="datetime-local">.
const localMinute = "2006-01-02T15:04"

// fillSetup reads what the setup section shows beyond the checkpoint: the
// ledger for those who set it up, and the gaps in the page's language.
func (s *Server) fillSetup(r *http.Request, lang string, c *frontline.Checkpoint, v *setupView) error {
	if c.Status == frontline.CheckpointSettingUp {
		gaps, err := s.gapTexts(lang, frontline.FindSetupGaps(c.Checklist, c.Shifts, s.Now()))
		if err != nil {
			return err
		}
		v.Gaps = gaps
	}
	if !v.CanManage {
		return nil
	}
	l, err := s.Checkpoints.Ledger(r.Context(), c.ID)
	if err != nil {
		return err
	}
	for _, b := range l.Balances {
		v.Balances = append(v.Balances, balanceRow{Balance: b, In: b.Issued + b.Restocked, Out: b.Used + b.Returned})
	}
	items := map[int64]*frontline.ChecklistItem{}
	for _, it := range c.Checklist {
		items[it.ID] = it
	}
	for i := len(l.Entries) - 1; i >= 0 && len(v.Entries) < setupEntries; i-- {
		row := ledgerRow{LedgerEntry: l.Entries[i], Name: l.Entries[i].ItemKey}
		if it := items[row.ItemID]; it != nil {
			row.Name, row.Unit = it.Name, it.Unit
		}
		v.Entries = append(v.Entries, row)
	}
	return nil
}

// gapTexts says each gap in lang: a material with what is on hand and
// needed, a task not done, no shift with a leader.
func (s *Server) gapTexts(lang string, g frontline.SetupGaps) ([]string, error) {
	var out []string
	for _, it := range g.Items {
		var t string
		var err error
		if it.Kind == frontline.ItemTask {
			t, err = s.text(lang, "setup.gap.task", it.Name)
		} else {
			t, err = s.text(lang, "setup.gap.material", it.Name, it.OnHand, it.Need, it.Unit)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if g.Unstaffed {
		t, err := s.text(lang, "setup.gap.unstaffed")
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// setupSaved goes back to the setup section of checkpoint id, saying what
// was saved.
func setupSaved(w http.ResponseWriter, r *http.Request, id int64, what string) error {
	return redirect(w, r, "/checkpoints/"+strconv.FormatInt(id, 10)+"?saved="+what+"#setup")
}

// renderSetupError shows the checkpoint page again with a setup form that
// was refused; set puts the form in its place on the page.
func (s *Server) renderSetupError(w http.ResponseWriter, r *http.Request, id int64, ferr error, set func(*setupView)) error {
	page, err := s.checkpointPage(w, r, id, s.newPassageForm())
	if err != nil {
		return err
	}
	set(&page.Setup)
	page.Setup.Unfolded = true
	return s.render(w, statusOf(frontline.ErrorCode(ferr)), pageCheckpointName, page)
}

// postCheckpointStatus moves a checkpoint to another status. Opening with
// gaps is refused by the service; the page then names every gap in the
// reader's language.
func (s *Server) postCheckpointStatus(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"status"})
	if err != nil {
		return err
	}
	_, err = s.Checkpoints.SetCheckpointStatus(r.Context(), id, frontline.CheckpointStatus(f.Values["status"]))
	switch code := frontline.ErrorCode(err); {
	case err == nil:
		return setupSaved(w, r, id, "status")
	case code == frontline.ECONFLICT:
		f.Errors[""] = "setup.error.cannotopen"
	case code == frontline.EINVALID:
		f.Errors[""] = "setup.error.status"
	default:
		return err
	}
	return s.renderSetupError(w, r, id, err, func(v *setupView) { v.Status = f })
}

// itemFields are the fields of the form that adds a checklist line.
func itemFields() []string { return []string{"item_name", "item_kind", "item_need", "item_unit"} }

// postChecklistItem adds a line to the checklist. The key is the name
// without spaces: a line added at one post needs no code of its own.
func (s *Server) postChecklistItem(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, itemFields())
	if err != nil {
		return err
	}
	v := f.Values
	it := &frontline.ChecklistItem{CheckpointID: id, Name: v["item_name"], Kind: frontline.ItemKind(v["item_kind"]), Unit: v["item_unit"],
		Key: strings.NewReplacer(" ", "", "/", "-").Replace(strings.TrimSpace(v["item_name"]))}
	if it.Kind == frontline.ItemMaterial {
		if it.Need, err = strconv.Atoi(frontline.FoldWidth(v["item_need"])); err != nil {
			f.Errors["item_need"] = "setup.error.item_need"
			return s.renderSetupError(w, r, id, frontline.FieldError("need", "not a number"), func(sv *setupView) { sv.Item = f })
		}
	}
	err = s.Checkpoints.AddChecklistItem(r.Context(), it)
	if err == nil {
		return setupSaved(w, r, id, "item")
	}
	switch code, field := frontline.ErrorCode(err), frontline.ErrorField(err); {
	case code == frontline.ECONFLICT:
		f.Errors["item_name"] = "setup.error.item_taken"
	case code == frontline.EINVALID && slices.Contains(itemFields(), "item_"+field):
		field = "item_" + field
		f.Errors[field] = "setup.error." + field
	case code == frontline.EINVALID && field == "key":
		f.Errors["item_name"] = "setup.error.item_name"
	default:
		return err
	}
	return s.renderSetupError(w, r, id, err, func(sv *setupView) { sv.Item = f })
}

// postTaskDone ticks a task of the checklist off, or back on.
func (s *Server) postTaskDone(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, item := q.pathID("id"), q.pathID("item")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"done"})
	if err != nil {
		return err
	}
	// The item must be on this page's checkpoint, so a form cannot tick a
	// line of another post and come back to this one.
	c, err := s.Checkpoints.FindCheckpointByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(c.Checklist, func(it *frontline.ChecklistItem) bool { return it.ID == item }) {
		return frontline.Errorf(frontline.ENOTFOUND, "checklist item %d is not on checkpoint %d", item, id)
	}
	if _, err := s.Checkpoints.SetTaskDone(r.Context(), item, f.Values["done"] == "1"); err != nil {
		return err
	}
	return setupSaved(w, r, id, "task")
}

// ledgerFields are the fields of the material ledger form.
func ledgerFields() []string {
	return []string{"ledger_item", "ledger_kind", "quantity", "source", "note"}
}

// postLedger records material issued, restocked, used or returned.
func (s *Server) postLedger(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, ledgerFields())
	if err != nil {
		return err
	}
	v := f.Values
	e := &frontline.LedgerEntry{CheckpointID: id, Kind: frontline.LedgerKind(v["ledger_kind"]), Source: v["source"], Note: v["note"]}
	var ok bool
	if e.ItemID, ok = formID(v["ledger_item"]); !ok {
		err = frontline.FieldError("item_id", "choose a material")
	} else if e.Quantity, err = strconv.Atoi(frontline.FoldWidth(v["quantity"])); err != nil {
		err = frontline.FieldError("quantity", "%q is not a whole number", v["quantity"])
	} else if _, err = s.Checkpoints.RecordMaterial(r.Context(), e); err == nil {
		return setupSaved(w, r, id, "ledger")
	}
	field := map[string]string{"item_id": "ledger_item", "kind": "ledger_kind", "quantity": "quantity", "note": "note"}[frontline.ErrorField(err)]
	switch code := frontline.ErrorCode(err); {
	case code == frontline.EINVALID && field != "":
		f.Errors[field] = "setup.error." + field
	case code == frontline.ENOTFOUND && ok:
		f.Errors["ledger_item"] = "setup.error.ledger_item" // not a material of this checkpoint
	default:
		return err
	}
	return s.renderSetupError(w, r, id, err, func(sv *setupView) { sv.Ledger = f })
}
