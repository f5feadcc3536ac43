package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/frontline-org/frontline"
)

// noticesPage is the outbox as staff read it: every notice of every
// workflow in the caller's places, newest first, with what became of it.
type noticesPage struct {
	layout
	Rows []noticeRow
	// Counts are the notices of the search (topic, day) in each status;
	// each links the list of that status.
	Counts []noticeCount
	Topics []option
	// Statuses are the status filter's choices; Status, Topic and Day the
	// search as given.
	Statuses []option
	Topic    string
	Status   string
	Day      string
	Total    int
	From, To int
	Prev     string
	Next     string
	// CanRequeue shows the button that sends a dead notice again, to
	// those the requeue may not refuse.
	CanRequeue bool
	// Back is the page itself, where a requeue returns to; Requeued the
	// notice just sent again.
	Back     string
	Requeued int64
}

// noticeRow is one notice with its topic in the reader's language.
type noticeRow struct {
	*frontline.Notice
	TopicLabel string
}

// noticeCount is how many notices are in one status.
type noticeCount struct {
	Status string
	N      int
	Href   string
}

// noticeLimit is the number of notices on one page.
const noticeLimit = 50

// noticeTopics are the topics the filter offers: what each workflow tells
// residents, and the alerts the outbox carries to staff.
func noticeTopics() []string {
	return []string{frontline.TopicCallUp, frontline.TopicResult, frontline.TopicIsolationEnd, frontline.TopicDelivery,
		frontline.TopicMedicine, "alert", frontline.AlertUnfilledShift, frontline.AlertNoShow}
}

// noticeStatuses are the statuses in the order the page counts them.
func noticeStatuses() []frontline.NoticeStatus {
	return []frontline.NoticeStatus{frontline.NoticeDelivered, frontline.NoticePending, frontline.NoticeDead, frontline.NoticeCancelled}
}

// topicLabel names a topic in lang: the notices' own label, else the
// alert kind's (a shift's alerts go out under their kind), else the topic
// as stored, so a topic a newer server wrote still shows.
func (s *Server) topicLabel(lang, topic string) string {
	if t, err := s.text(lang, "notices.topic."+topic); err == nil {
		return t
	}
	if t, err := s.text(lang, "alert.kind."+topic); err == nil {
		return t
	}
	return topic
}

func (s *Server) pageNotices(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	topic, status := q.text("topic"), q.text("status")
	from := q.day("day", s.Location, false)
	to := q.day("day", s.Location, true)
	offset := q.number("offset", 0, 0, 10_000_000)
	requeued := q.id("requeued")
	if err := q.check(); err != nil {
		return err
	}
	f := frontline.NoticeFilter{From: from, To: to}
	if topic != nil {
		if !slices.Contains(noticeTopics(), *topic) {
			return frontline.FieldError("topic", "%q is not a notice topic", *topic)
		}
		f.Topic = topic
	}
	if status != nil {
		st := frontline.NoticeStatus(*status)
		if !slices.Contains(noticeStatuses(), st) {
			return frontline.FieldError("status", "%q is not a notice status", *status)
		}
		f.Status = &st
	}
	ctx := r.Context()
	list := f
	list.Offset, list.Limit = offset, noticeLimit
	notices, total, err := s.Outbox.FindNotices(ctx, list)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "notices.page.title")
	if err != nil {
		return err
	}
	query := url.Values{}
	for k, v := range map[string]*string{"topic": topic, "status": status} {
		if v != nil {
			query.Set(k, *v)
		}
	}
	if !from.IsZero() {
		query.Set("day", from.In(s.Location).Format(frontline.DateLayout))
	}
	page := noticesPage{layout: s.layout(r, lang, title), Total: total, From: offset + 1, To: offset + len(notices),
		Topic: query.Get("topic"), Status: query.Get("status"), Day: query.Get("day"), Requeued: deref(requeued),
		CanRequeue: callerFrom(ctx).principal.Can(frontline.PermManageRounds)}
	for _, n := range notices {
		page.Rows = append(page.Rows, noticeRow{Notice: n, TopicLabel: s.topicLabel(lang, n.Topic)})
	}
	for _, t := range noticeTopics() {
		page.Topics = append(page.Topics, option{Value: t, Label: s.topicLabel(lang, t), Selected: t == page.Topic})
	}
	// The counts answer the same search in every status.
	counts, err := s.Outbox.CountNotices(ctx, f)
	if err != nil {
		return err
	}
	for _, st := range noticeStatuses() {
		n := counts[st]
		label, err := s.text(lang, "notices.status."+string(st))
		if err != nil {
			return err
		}
		v := url.Values{}
		for k, vs := range query {
			v[k] = vs
		}
		v.Set("status", string(st))
		page.Counts = append(page.Counts, noticeCount{Status: string(st), N: n, Href: "/notices?" + v.Encode()})
		page.Statuses = append(page.Statuses, option{Value: string(st), Label: label, Selected: string(st) == page.Status})
	}
	page.Back = "/notices"
	if len(query) > 0 {
		page.Back += "?" + query.Encode()
	}
	if offset > 0 {
		v := url.Values{}
		for k, vs := range query {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(offset))
		page.Back = "/notices?" + v.Encode()
	}
	page.Prev, page.Next = pageLinks("/notices", query, offset, len(notices), noticeLimit, total)
	return s.render(w, http.StatusOK, pageNoticesName, page)
}

// postRequeue sends a dead notice again and returns to the page the
// button was on: a round's (round=ID) or the notices' (back=path). A
// form sent twice, or a notice another member of staff already sent
// again, is not an error: the notice is on its way, which is what the
// button asked, and the audit log holds the one requeue that did it.
func (s *Server) postRequeue(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"round", "back"})
	if err != nil {
		return err
	}
	back := "/rounds"
	if round, ok := formID(f.Values["round"]); ok {
		back = fmt.Sprintf("/rounds/%d", round)
	} else if b := f.Values["back"]; b != "" {
		u, err := url.Parse(localPath(b))
		if err != nil || u.Path != "/notices" {
			return frontline.FieldError("back", "a requeue returns to the notices or a round")
		}
		v := u.Query()
		v.Set("requeued", strconv.FormatInt(id, 10))
		back = "/notices?" + v.Encode() + "#notice-" + strconv.FormatInt(id, 10)
	}
	if err := s.Outbox.RequeueNotice(r.Context(), id); err != nil && frontline.ErrorCode(err) != frontline.ECONFLICT {
		return err
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
