package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// groupsPage lists a node's group orders, with the form of a new one.
type groupsPage struct {
	layout
	Place    *frontline.Place
	Groups   []*frontline.OrderGroup
	Partners []*frontline.Partner
	Form     form
}

func (s *Server) pageGroups(w http.ResponseWriter, r *http.Request) error {
	return s.renderGroups(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderGroups(w http.ResponseWriter, r *http.Request, f form, status int) error {
	ctx := r.Context()
	place, err := s.workforcePlace(ctx, newParams(r))
	if err != nil {
		return err
	}
	groups, err := s.Orders.FindGroups(ctx, place.ID)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "groups.title")
	if err != nil {
		return err
	}
	page := groupsPage{layout: s.layout(r, lang, title), Place: place, Groups: groups, Form: f}
	if place.Kind != frontline.KindHousehold {
		// The partners a new group may order from: those serving the node.
		if page.Partners, err = s.Orders.PartnersServing(ctx, place.ID); err != nil {
			return err
		}
	}
	return s.render(w, status, pageGroupsName, page)
}

func (s *Server) postGroup(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"partner", "leader"})
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	partner, _ := formID(f.Values["partner"])
	g := &frontline.OrderGroup{PartnerID: partner, PlaceID: place.ID, Leader: f.Values["leader"]}
	err = s.Orders.CreateGroup(r.Context(), g)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/groups/%d", g.ID))
	}
	switch frontline.ErrorCode(err) {
	case frontline.EINVALID, frontline.ENOTFOUND:
		f.Errors[""] = "groups.error"
		return s.renderGroups(w, r, f, http.StatusBadRequest)
	}
	return err
}

// groupPage is one group order: its households' orders, the form to add
// one, and the button that sends them.
type groupPage struct {
	layout
	Group      *frontline.OrderGroup
	Households []option
	View       *frontline.OrderLinkView // the partner's catalogue, for the form
	Form       form
}

func (s *Server) pageGroup(w http.ResponseWriter, r *http.Request) error {
	return s.renderGroup(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderGroup(w http.ResponseWriter, r *http.Request, f form, status int) error {
	ctx := r.Context()
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	g, err := s.Orders.FindGroupByID(ctx, id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "group.title", g.PlaceName, g.PartnerName)
	if err != nil {
		return err
	}
	page := groupPage{layout: s.layout(r, lang, title), Group: g, Form: f}
	if g.SentAt.IsZero() {
		hhs, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &g.PlaceID, Kind: ptr(frontline.KindHousehold), Limit: maxRows})
		if err != nil {
			return err
		}
		addr := newAddresses(s.Places)
		for _, h := range hhs {
			a, err := addr.of(ctx, h)
			if err != nil {
				return err
			}
			v := strconv.FormatInt(h.ID, 10)
			page.Households = append(page.Households, option{Value: v, Label: a, Selected: f.Values["household"] == v})
		}
		if len(hhs) > 0 {
			view, err := s.Orders.OrderView(ctx, hhs[0].ID)
			if err != nil {
				return err
			}
			// Only the group's partner: a group orders from one.
			view.Partners = filterPartners(view.Partners, g.PartnerID)
			page.View = view
		}
	}
	return s.render(w, status, pageGroupName, page)
}

func filterPartners(ps []*frontline.Partner, id int64) []*frontline.Partner {
	var out []*frontline.Partner
	for _, p := range ps {
		if p.ID == id {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) postGroupOrder(w http.ResponseWriter, r *http.Request) error {
	req, f, err := orderRequest(r)
	if err != nil && frontline.ErrorCode(err) != frontline.EINVALID {
		return err
	}
	f.Values["household"] = r.PostFormValue("household")
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	req.GroupID = id
	req.HouseholdID, _ = formID(f.Values["household"])
	if err == nil {
		_, err = s.Orders.PlaceOrder(r.Context(), req)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/groups/%d#orders", id))
	}
	if err := orderError(f, err); err != nil {
		return err
	}
	return s.renderGroup(w, r, f, http.StatusBadRequest)
}

func (s *Server) postSendGroup(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	_, err := s.Orders.SendGroup(r.Context(), id)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/groups/%d", id))
	}
	f := newForm()
	if err := orderError(f, err); err != nil {
		return err
	}
	f.Errors[""], f.Errors["quantity"] = f.Errors["quantity"], ""
	return s.renderGroup(w, r, f, http.StatusConflict)
}
