package web

import (
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// noticesPage is the dead-letter list: notices that could not be
// delivered, which staff send again once the channel works. It is what a
// dead-notice alert leads to.
type noticesPage struct {
	layout
	Notices   []*frontline.Notice
	Total     int
	Requeued  int64
	Truncated bool
}

func (s *Server) pageNotices(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	requeued := q.id("requeued")
	if err := q.check(); err != nil {
		return err
	}
	dead := frontline.NoticeDead
	list, total, err := s.Outbox.FindNotices(r.Context(), frontline.NoticeFilter{Status: &dead, Limit: maxAlerts})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "notices.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageNoticesName, noticesPage{layout: s.layout(r, lang, title), Notices: list, Total: total,
		Requeued: deref(requeued), Truncated: total > len(list)})
}

// postRequeueNotice sends a dead notice again.
func (s *Server) postRequeueNotice(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Outbox.RequeueNotice(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/notices?requeued="+strconv.FormatInt(id, 10))
}
