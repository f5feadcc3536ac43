package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Orders: a household's own ordering page (public, through its link, in
// large text), staff ordering on a household's behalf, the list of orders
// under a node (paid, cancel), and a building's group orders.

// Order pages.
const (
	pageOrderLinkName = "order"
	pageHouseOrder    = "household_order"
	pageOrdersName    = "orders"
	pageGroupsName    = "groups"
	pageGroupName     = "group"
)

func orderPages() []string {
	return append([]string{pageOrderLinkName, pageHouseOrder, pageOrdersName, pageGroupsName, pageGroupName, pagePickListName, pageGateName},
		deliveryPages()...)
}

// orderRate is how many requests a minute one address may make to the
// households' public ordering page.
const orderRate = 60

// registerOrders registers the order pages when the server has Orders.
func (s *Server) registerOrders() {
	if s.Orders == nil {
		return
	}
	funcs := map[string]any{"price": frontline.FormatPrice, "orderForms": orderFormsOf, "orderTable": orderTableOf, "groupForms": groupFormsOf, "linkOrderTable": linkOrderTableOf,
		"runList": runListOf, "gateLink": gateLink, "medLink": medLinkOf, "medForm": medFormOf, "medList": medListOf, "timeLeft": s.timeLeft, "medLate": s.medLate}
	// The household's link page has a medicine part (medicine_link.go).
	if err := s.parsePageSet(funcs, orderPages(), "templates/order_parts.html", "templates/medicine_parts.html"); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	// A household has no account: the secret in the link is the only
	// credential, so the page is public and limited per address.
	lim := newRateLimiter(orderRate, time.Minute, s.Now)
	s.route("GET /order", AccessPublic, s.limited(lim, s.pageOrderLink))
	s.route("POST /order", AccessPublic, s.limited(lim, s.postOrderLink))
	s.route("POST /order/substitute", AccessPublic, s.limited(lim, s.postOrderSubstitute))
	place := Needs(frontline.PermPlaceOrders)
	s.route("GET /households/{id}/order", place, s.pageHouseholdOrder)
	s.route("POST /households/{id}/order", place, s.postHouseholdOrder)
	s.route("POST /households/{id}/order-link", place, s.postHouseholdLink)
	s.route("GET /orders", place, s.pageOrders)
	s.route("POST /orders/{id}/paid", place, s.postOrderPaid)
	s.route("POST /orders/{id}/cancel", place, s.postOrderCancel)
	s.route("GET /groups", place, s.pageGroups)
	s.route("POST /groups", place, s.postGroup)
	s.route("GET /groups/{id}", place, s.pageGroup)
	s.route("POST /groups/{id}/orders", place, s.postGroupOrder)
	s.route("POST /groups/{id}/send", place, s.postSendGroup)
	s.route("GET /api/v1/orders", place, s.apiOrders)
	s.registerFill()
	if s.Deliveries != nil {
		s.route("POST /order/confirm", AccessPublic, s.limited(lim, s.postOrderConfirm))
		s.route("POST /order/complain", AccessPublic, s.limited(lim, s.postOrderComplain))
		s.registerDeliveries()
	}
}

// orderLinks adds the orders list to the navigation of those who order.
func (s *Server) orderLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Orders == nil || len(links) == 0 || !p.Can(frontline.PermPlaceOrders) {
		return links
	}
	return beforeLast(links, navLink{"/orders", "nav.orders", "nav-orders"})
}

// beforeLast puts link before the last of links (the account's).
func beforeLast(links []navLink, link navLink) []navLink {
	last := links[len(links)-1]
	return append(links[:len(links)-1], link, last)
}

// orderForms is what the "orderforms" part needs: a form per partner
// serving the household, each with its items and a quantity for each.
type orderForms struct {
	Lang, CSRF, Action string
	Token              string // the link's secret, for the public page
	View               *frontline.OrderLinkView
	Form               form
	Large              bool
	Households         []option // a group order's: which household orders
}

func groupFormsOf(lang, csrf, action string, v *frontline.OrderLinkView, f form, households []option) orderForms {
	return orderForms{Lang: lang, CSRF: csrf, Action: action, View: v, Form: f, Households: households}
}

func orderFormsOf(lang, csrf, action, token string, v *frontline.OrderLinkView, f form, large bool) orderForms {
	return orderForms{Lang: lang, CSRF: csrf, Action: action, Token: token, View: v, Form: f, Large: large}
}

// orderTable is what the "ordertable" part needs; Actions adds the
// buttons of staff (paid, cancel), which return to Next.
type orderTable struct {
	Lang, CSRF, Next string
	Token            string // a household's link: it answers substitutes
	Orders           []*frontline.Order
	Actions          bool
	// Form is a household's complaint sent back with its refusal; Answers
	// shows the confirm and complain forms (the server serves deliveries).
	Form    form
	Answers bool
}

func linkOrderTableOf(lang, token string, orders []*frontline.Order, f form, answers bool) orderTable {
	return orderTable{Lang: lang, Token: token, Orders: orders, Form: f, Answers: answers}
}

func orderTableOf(lang, csrf, next string, orders []*frontline.Order, actions bool) orderTable {
	return orderTable{Lang: lang, CSRF: csrf, Next: next, Orders: orders, Actions: actions}
}

// readQuantities reads the quantities of an order form: q.<item id>.
func readQuantities(r *http.Request) (map[int64]int, error) {
	out := map[int64]int{}
	for k, vs := range r.PostForm {
		idText, ok := strings.CutPrefix(k, "q.")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		id, ok := formID(idText)
		n, err := strconv.Atoi(strings.TrimSpace(frontline.FoldWidth(vs[0])))
		if !ok || err != nil || n < 0 {
			return nil, frontline.FieldError("quantity", "a quantity is a whole number")
		}
		if n > 0 {
			out[id] = n
		}
	}
	return out, nil
}

// orderRequest reads an order form.
func orderRequest(r *http.Request) (frontline.OrderRequest, form, error) {
	f, err := readForm(r, []string{"partner", "note", "form_token"})
	if err != nil {
		return frontline.OrderRequest{}, f, err
	}
	for k, vs := range r.PostForm {
		if strings.HasPrefix(k, "q.") && len(vs) > 0 {
			f.Values[k] = vs[0]
		}
	}
	partner, _ := formID(f.Values["partner"])
	req := frontline.OrderRequest{PartnerID: partner, Note: f.Values["note"], Key: f.Values["form_token"]}
	req.Quantities, err = readQuantities(r)
	return req, f, err
}

// orderError puts an order's refusal on its form: every refusal of an
// order is about the quantities or the whole order.
func orderError(f form, err error) error {
	switch frontline.ErrorCode(err) {
	case frontline.EINVALID:
		f.Errors["quantity"] = "order.error.quantity"
		if frontline.ErrorField(err) == "note" {
			f.Errors["quantity"] = "order.error.note"
		}
	case frontline.ECONFLICT:
		f.Errors["quantity"] = "order.error.conflict"
		if strings.Contains(frontline.ErrorMessage(err), "paused") {
			f.Errors["quantity"] = "order.error.paused"
		}
	default:
		return err
	}
	f.Values["detail"] = frontline.ErrorMessage(err)
	return nil
}

// orderLinkPage is a household's own page.
type orderLinkPage struct {
	layout
	// Help: the server takes help requests, which the page links.
	Help bool
	// Answers: the household may confirm and complain (deliveries served).
	Answers bool
	Token   string
	View    *frontline.OrderLinkView
	Placed  *frontline.Order
	Problem string
	Form    form
	// Med is the medicine part, when the server takes medicine requests.
	Med *linkMedicine
}

// pageOrderLink shows the page of the link in ?t= (the query, never the
// path: the request log records paths).
func (s *Server) pageOrderLink(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("t")
	return s.renderOrderLink(w, r, token, nil, newForm(), http.StatusOK)
}

func (s *Server) renderOrderLink(w http.ResponseWriter, r *http.Request, token string, placed *frontline.Order, f form, status int) error {
	return s.renderLinkPage(w, r, token, placed, f, linkMedicine{Form: newForm()}, status)
}

// renderLinkPage renders a household's page with its order part and its
// medicine part.
func (s *Server) renderLinkPage(w http.ResponseWriter, r *http.Request, token string, placed *frontline.Order, f form, med linkMedicine, status int) error {
	l, err := s.linkLayout(w, r, "order.title", "/order", token)
	if err != nil {
		return err
	}
	view, err := s.Orders.OrderLinkView(r.Context(), token)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		l.Path = "/order"
		return s.render(w, http.StatusNotFound, pageOrderLinkName, orderLinkPage{layout: l, Problem: "self.error.gone", Form: newForm()})
	} else if err != nil {
		return err
	}
	page := orderLinkPage{layout: l, Token: token, View: view, Placed: placed, Form: f, Help: s.Help != nil, Answers: s.Deliveries != nil}
	if s.Medicine != nil {
		if med.View, err = s.Medicine.MedicineLinkView(r.Context(), token); err != nil {
			return err
		}
		page.Med = &med
	}
	return s.render(w, status, pageOrderLinkName, page)
}

func (s *Server) postOrderLink(w http.ResponseWriter, r *http.Request) error {
	req, f, err := orderRequest(r)
	place := func(ctx context.Context, token string) (*frontline.Order, error) {
		return s.Orders.OrderByLink(ctx, token, req)
	}
	return postByLink(s, w, r, f, err, place, orderError, s.renderOrderLink)
}

// householdOrderPage is staff ordering for a household, with its link.
type householdOrderPage struct {
	layout
	Household *frontline.Place
	View      *frontline.OrderLinkView
	Placed    *frontline.Order
	Link      string // the link just made, shown once
	// Need is the vulnerable resident's need (?need=) this order meets,
	// 0 for none: the order placed is linked to it.
	Need int64
	Form form
}

func (s *Server) pageHouseholdOrder(w http.ResponseWriter, r *http.Request) error {
	return s.renderHouseholdOrder(w, r, nil, "", newForm(), http.StatusOK)
}

func (s *Server) renderHouseholdOrder(w http.ResponseWriter, r *http.Request, placed *frontline.Order, link string, f form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	hh, err := s.Places.FindPlaceByID(r.Context(), id)
	if err != nil {
		return err
	}
	view, err := s.Orders.OrderView(r.Context(), id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "order.staff.title")
	if err != nil {
		return err
	}
	if link != "" {
		w.Header().Set("Referrer-Policy", "same-origin")
	}
	need, _ := formID(r.URL.Query().Get("need"))
	if s.Vulnerable == nil {
		need = 0
	}
	return s.render(w, status, pageHouseOrder, householdOrderPage{layout: s.layout(r, lang, title), Household: hh, View: view,
		Placed: placed, Link: link, Need: need, Form: f})
}

func (s *Server) postHouseholdOrder(w http.ResponseWriter, r *http.Request) error {
	req, f, err := orderRequest(r)
	if err != nil && frontline.ErrorCode(err) != frontline.EINVALID {
		return err
	}
	q := newParams(r)
	req.HouseholdID = q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var o *frontline.Order
	// An order for a vulnerable resident's need is placed with the need,
	// which then shows it.
	need, forNeed := formID(r.URL.Query().Get("need"))
	switch {
	case err != nil:
	case forNeed && s.Vulnerable != nil:
		o, err = s.Vulnerable.OrderForNeed(r.Context(), need, req)
	default:
		o, err = s.Orders.PlaceOrder(r.Context(), req)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/orders?place=%d&placed=%d", req.HouseholdID, o.ID))
	}
	if err := orderError(f, err); err != nil {
		return err
	}
	return s.renderHouseholdOrder(w, r, nil, "", f, http.StatusBadRequest)
}

// postHouseholdLink makes a household's link (ending the earlier one) and
// shows it once.
func (s *Server) postHouseholdLink(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	_, secret, err := s.Orders.CreateOrderLink(r.Context(), id)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil || s.Secure {
		scheme = "https"
	}
	link := (&url.URL{Scheme: scheme, Host: r.Host, Path: "/order", RawQuery: url.Values{"t": {secret}}.Encode()}).String()
	return s.renderHouseholdOrder(w, r, nil, link, newForm(), http.StatusOK)
}

// ordersPage lists the orders under a node.
type ordersPage struct {
	layout
	Place    *frontline.Place
	Orders   []*frontline.Order
	Total    int
	Status   string
	Statuses []string
	Unpaid   bool
	Placed   int64
	// Complaints links households' complaints (deliveries served).
	Complaints bool
}

func (s *Server) pageOrders(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	f := frontline.OrderFilter{Under: &place.ID, Unpaid: q.boolean("unpaid"), Limit: maxRows}
	status := r.URL.Query().Get("status")
	if status != "" {
		f.Status = []frontline.OrderStatus{frontline.OrderStatus(status)}
	}
	placed := q.id("placed")
	if err := q.check(); err != nil {
		return err
	}
	orders, total, err := s.Orders.FindOrders(r.Context(), f)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "orders.title")
	if err != nil {
		return err
	}
	page := ordersPage{layout: s.layout(r, lang, title), Place: place, Orders: orders, Total: total, Status: status, Unpaid: f.Unpaid,
		Complaints: s.Deliveries != nil}
	if placed != nil {
		page.Placed = *placed
	}
	for _, st := range frontline.OrderStatuses {
		page.Statuses = append(page.Statuses, string(st))
	}
	return s.render(w, http.StatusOK, pageOrdersName, page)
}

func (s *Server) postOrderPaid(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"paid", "next"})
	if err != nil {
		return err
	}
	if _, err := s.Orders.SetPaid(r.Context(), id, f.Values["paid"] == "1"); err != nil {
		return err
	}
	return redirect(w, r, localPath(cmpNext(f.Values["next"], "/orders")))
}

func (s *Server) postOrderCancel(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"reason", "next"})
	if err != nil {
		return err
	}
	if _, err := s.Orders.CancelOrder(r.Context(), id, f.Values["reason"]); err != nil {
		return err
	}
	return redirect(w, r, localPath(cmpNext(f.Values["next"], "/orders")))
}

// cmpNext returns next, or def when it is empty.
func cmpNext(next, def string) string {
	if next == "" {
		return def
	}
	return next
}

// apiOrders lists the orders under a node (?place=).
func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	orders, total, err := s.Orders.FindOrders(r.Context(), frontline.OrderFilter{Under: &place.ID, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"orders": orders, "total": total, "page": pg})
}
