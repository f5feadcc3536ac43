package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
)

// Shops fill: the pick list of a day (page and XLSX), packing an order
// line by line with partial fills and substitutes, handing packed orders
// over at a compound's gate, the gate's count, and a household's answer
// to a substitute.

// Fill pages.
const (
	pagePickListName = "picklist"
	pageGateName     = "gate"
)

// registerFill registers the pick list under each partner prefix, the
// gate page and the answers to substitutes.
func (s *Server) registerFill() {
	for _, pp := range partnerPrefixes() {
		need := Needs(pp.Perm)
		s.route("GET "+pp.Prefix+"/partners/{id}/picklist", need, s.pagePickList)
		s.route("GET "+pp.Prefix+"/partners/{id}/picklist.xlsx", need, s.exportPickList)
		s.route("POST "+pp.Prefix+"/partners/{id}/handover", need, s.postHandOver)
		s.route("POST "+pp.Prefix+"/orders/{id}/fill", need, s.postFill)
	}
	place := Needs(frontline.PermPlaceOrders)
	s.route("GET /gate", place, s.pageGate)
	s.route("POST /gate/receive", place, s.postGateReceive)
	s.route("POST /orders/lines/{id}/answer", place, s.postAnswerForHousehold)
}

// deliveryDay is the day of ?day=, tomorrow by default (orders arrive the
// day after they are placed unless a window says otherwise).
func (s *Server) deliveryDay(q *params) string {
	if d := q.text("day"); d != nil && *d != "" {
		if _, err := time.Parse(frontline.DateLayout, *d); err == nil {
			return *d
		}
		q.fail(frontline.FieldError("day", "not a date (YYYY-MM-DD)"))
	}
	return frontline.AddDays(s.Now().In(s.Location).Format(frontline.DateLayout), 1)
}

// pickListPage is a partner's pick list of a day with the forms that pack.
type pickListPage struct {
	layout
	List      *frontline.PickList
	Items     []*frontline.CatalogItem // for substitutes
	Prefix    string
	Prev      string
	Next      string
	Handed    string // how many were just handed over
	FillError map[int64]string
	Detail    string
	// Complaints links the partner's complaints (deliveries served).
	Complaints bool
}

func (s *Server) pagePickList(w http.ResponseWriter, r *http.Request) error {
	return s.renderPickList(w, r, nil, "", http.StatusOK)
}

func (s *Server) renderPickList(w http.ResponseWriter, r *http.Request, fillErr map[int64]string, detail string, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	day := s.deliveryDay(q)
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	pl, err := s.Orders.PickList(ctx, id, day)
	if err != nil {
		return err
	}
	items, err := s.Partners.Catalog(ctx, id, false)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "pick.title", pl.Partner.Name)
	if err != nil {
		return err
	}
	prefix := partnerPrefix(callerFrom(ctx).principal)
	page := pickListPage{layout: s.layout(r, lang, title), List: pl, Items: items, Prefix: prefix, FillError: fillErr, Detail: detail,
		Prev: frontline.AddDays(day, -1), Next: frontline.AddDays(day, 1), Handed: r.URL.Query().Get("handed"), Complaints: s.Deliveries != nil}
	return s.render(w, status, pagePickListName, page)
}

// exportPickList writes the pick list of a day as XLSX.
func (s *Server) exportPickList(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	day := s.deliveryDay(q)
	if err := q.check(); err != nil {
		return err
	}
	pl, err := s.Orders.PickList(r.Context(), id, day)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	var buf bytes.Buffer
	status := func(st frontline.OrderStatus) string {
		t, _ := s.text(lang, "order.status."+string(st))
		return t
	}
	if err := report.PickList(&buf, pl, status); err != nil {
		return err
	}
	name := fmt.Sprintf("拣货单-%s-%s.xlsx", pl.Partner.Name, day)
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", "attachment; filename=\"picklist-"+day+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// postFill packs an order: f.<line> is how many were packed, s.<line> a
// substitute item and n.<line> how many of it.
func (s *Server) postFill(w http.ResponseWriter, r *http.Request) error {
	if err := parseBody(r); err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var fills []frontline.LineFill
	bad := false
	for k, vs := range r.PostForm {
		lineText, ok := strings.CutPrefix(k, "f.")
		if !ok || len(vs) == 0 {
			continue
		}
		line, ok1 := formID(lineText)
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if !ok1 || err != nil {
			bad = true
			continue
		}
		f := frontline.LineFill{LineID: line, Filled: n}
		if sub, ok := formID(r.PostForm.Get("s." + lineText)); ok {
			f.SubstituteID = sub
			f.SubQuantity, _ = strconv.Atoi(strings.TrimSpace(r.PostForm.Get("n." + lineText)))
		}
		fills = append(fills, f)
	}
	partner, _ := formID(r.PostForm.Get("partner"))
	day := r.PostForm.Get("day")
	var err error
	if bad {
		err = frontline.FieldError("filled", "a number packed is a whole number")
	} else {
		_, err = s.Orders.FillOrder(r.Context(), id, fills)
	}
	prefix := partnerPrefix(callerFrom(r.Context()).principal)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("%s/partners/%d/picklist?day=%s#order-%d", prefix, partner, url.QueryEscape(day), id))
	}
	switch frontline.ErrorCode(err) {
	case frontline.EINVALID, frontline.ECONFLICT:
	default:
		return err
	}
	r.URL.RawQuery = url.Values{"day": {day}}.Encode()
	r.SetPathValue("id", strconv.FormatInt(partner, 10))
	return s.renderPickList(w, r, map[int64]string{id: "pick.error"}, frontline.ErrorMessage(err), http.StatusBadRequest)
}

// postHandOver records a compound's packed orders as handed over at its
// gate (the partner's side).
func (s *Server) postHandOver(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"compound", "day"})
	if err != nil {
		return err
	}
	compound, _ := formID(f.Values["compound"])
	n, err := s.Orders.HandOver(r.Context(), id, compound, f.Values["day"])
	if err != nil {
		return err
	}
	prefix := partnerPrefix(callerFrom(r.Context()).principal)
	return redirect(w, r, fmt.Sprintf("%s/partners/%d/picklist?day=%s&handed=%d", prefix, id, url.QueryEscape(f.Values["day"]), n))
}

// gatePage is the count at a compound's gate: per partner, where the
// day's orders stand, with the form that receives what was left there;
// the day's delivery runs with their counts, and the form that makes one.
type gatePage struct {
	layout
	Place  *frontline.Place
	Day    string
	Prev   string
	Next   string
	Counts []*frontline.GateCount
	Handed string
	Runs   []*frontline.Run
	// CanRun: the caller makes runs here (a compound, deliveries served).
	CanRun    bool
	Buildings []option
	Carriers  []option
	Form      form
}

func (s *Server) pageGate(w http.ResponseWriter, r *http.Request) error {
	return s.renderGate(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderGate(w http.ResponseWriter, r *http.Request, f form, status int) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	day := s.deliveryDay(q)
	if v := f.Values["day"]; v != "" {
		day = v
	}
	if err := q.check(); err != nil {
		return err
	}
	counts, err := s.Orders.GateCounts(r.Context(), place.ID, day)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "gate.title")
	if err != nil {
		return err
	}
	page := gatePage{layout: s.layout(r, lang, title), Place: place, Day: day, Counts: counts,
		Prev: frontline.AddDays(day, -1), Next: frontline.AddDays(day, 1), Handed: r.URL.Query().Get("handed"), Form: f}
	if page.Runs, err = s.runsAt(r, place.ID, day); err != nil {
		return err
	}
	if page.Runs != nil && place.Kind == frontline.KindCompound {
		if err := s.runForm(r, &page); err != nil {
			return err
		}
	}
	return s.render(w, status, pageGateName, page)
}

// runForm fills the choices of the form that makes a run: the compound's
// buildings, and who may carry it (the workers of its community for those
// who manage the workforce, else the caller's own worker; its delivery
// teams).
func (s *Server) runForm(r *http.Request, page *gatePage) error {
	ctx, p := r.Context(), callerFrom(r.Context()).principal
	kids, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &page.Place.ID, Limit: maxRows})
	if err != nil {
		return err
	}
	for _, b := range kids {
		if b.Kind == frontline.KindBuilding {
			v := strconv.FormatInt(b.ID, 10)
			page.Buildings = append(page.Buildings, option{Value: v, Label: b.Name, Selected: page.Form.Checked["building."+v]})
		}
	}
	if s.Workers == nil {
		return nil
	}
	chosen := page.Form.Values["carrier"]
	add := func(v, label string) {
		page.Carriers = append(page.Carriers, option{Value: v, Label: label, Selected: v == chosen})
	}
	community := page.Place.ParentID
	if p.Can(frontline.PermManageWorkforce) {
		ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Under: &community, Limit: maxRows})
		if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return err
		}
		for _, w := range ws {
			add(fmt.Sprintf("w.%d", w.ID), w.Name)
		}
	} else if w, err := s.Workers.WorkerForUser(ctx, p.UserID); err == nil {
		add(fmt.Sprintf("w.%d", w.ID), w.Name)
	} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return err
	}
	if s.Roster != nil && p.Can(frontline.PermDuty) {
		kind := frontline.PostDelivery
		posts, _, err := s.Roster.FindPosts(ctx, frontline.PostFilter{Under: &community, Kind: &kind, Limit: maxRows})
		if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return err
		}
		for _, o := range posts {
			add(fmt.Sprintf("t.%d", o.ID), o.Name)
		}
	}
	page.CanRun = len(page.Buildings) > 0 && len(page.Carriers) > 0
	return nil
}

// postGateReceive records, at the gate, the packed orders a partner left
// there (the gate's side of the hand-over).
func (s *Server) postGateReceive(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"partner", "day"})
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	partner, _ := formID(f.Values["partner"])
	n, err := s.Orders.HandOver(r.Context(), partner, place.ID, f.Values["day"])
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/gate?place=%d&day=%s&handed=%d", place.ID, url.QueryEscape(f.Values["day"]), n))
}

// postAnswerForHousehold records a household's answer to a substitute,
// given to staff on the phone.
func (s *Server) postAnswerForHousehold(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"accept", "next"})
	if err != nil {
		return err
	}
	if _, err := s.Orders.AnswerForHousehold(r.Context(), id, f.Values["accept"] == "1"); err != nil {
		return err
	}
	return redirect(w, r, localPath(cmpNext(f.Values["next"], "/orders")))
}

// postOrderSubstitute records a household's answer to a substitute
// through its link.
func (s *Server) postOrderSubstitute(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"t", "line", "accept"})
	if err != nil {
		return err
	}
	line, _ := formID(f.Values["line"])
	ctx := s.householdContext(r)
	_, err = s.Orders.AnswerSubstitute(ctx, f.Values["t"], line, f.Values["accept"] == "1")
	switch frontline.ErrorCode(err) {
	case "", frontline.ECONFLICT:
		return s.renderOrderLink(w, r, f.Values["t"], nil, newForm(), http.StatusOK)
	case frontline.ENOTFOUND:
		return s.renderOrderLink(w, r, "", nil, newForm(), http.StatusNotFound)
	}
	return err
}
