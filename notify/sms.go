package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/frontline-org/frontline"
)

// SMSProvider describes one SMS gateway's HTTP API: where to send, how
// each message is written into the request, and how the gateway says
// "accepted". Offices reach very different gateways (a carrier's HTTP
// bridge, a cloud SMS service behind the city's own relay), so the
// request is a template, one file per provider, not code.
type SMSProvider struct {
	// Name names the provider in logs and errors.
	Name string `json:"name"`
	// URL is where each message is sent; Method defaults to POST.
	URL    string `json:"url"`
	Method string `json:"method"`
	// Headers are sent with each request; ${NAME} in a value is the
	// environment variable NAME, so keys stay out of the file.
	Headers map[string]string `json:"headers"`
	// Body is a text/template of the request body. It sees .Phone, .Sign,
	// .Text (the message), .Signed (【sign】 then the text), .Template (the
	// provider's template id of the notice's topic), .Params (the notice's
	// named values), .Topic and .Ref (the notice id, the same on every
	// retry, for gateways that drop repeats); {{json X}} writes X as a
	// JSON value, {{query X}} escapes it for a form body and {{env "NAME"}}
	// is the environment variable NAME.
	Body string `json:"body"`
	// Sign is the signature (签名) carriers require before a message.
	Sign string `json:"sign"`
	// Templates maps a notice topic to the provider's approved template
	// id; a topic without one is sent as text (.Template empty).
	Templates map[string]string `json:"templates"`
	// Success says what an accepted message looks like: one of Status
	// (default any 2xx) and, when set, BodyMatch (a regular expression)
	// found in the answer.
	Success struct {
		Status    []int  `json:"status"`
		BodyMatch string `json:"body_match"`
	} `json:"success"`

	body  *template.Template
	match *regexp.Regexp
}

// LoadSMSProvider reads a provider file (JSON) and checks it.
func LoadSMSProvider(path string) (*SMSProvider, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p SMSProvider
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := p.Compile(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// Compile checks the provider and prepares its templates.
func (p *SMSProvider) Compile() error {
	if p.URL == "" || p.Body == "" {
		return errors.New("an SMS provider needs url and body")
	}
	if p.Method == "" {
		p.Method = http.MethodPost
	}
	funcs := template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"query": url.QueryEscape,
		// env reads a variable, for gateways that want a key in the body.
		"env": os.Getenv,
	}
	t, err := template.New("body").Option("missingkey=error").Funcs(funcs).Parse(p.Body)
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	p.body = t
	if p.Success.BodyMatch != "" {
		if p.match, err = regexp.Compile(p.Success.BodyMatch); err != nil {
			return fmt.Errorf("success.body_match: %w", err)
		}
	}
	return nil
}

// smsMessage is what the body template sees.
type smsMessage struct {
	Phone, Sign, Text, Signed, Template, Topic string
	Params                                     map[string]string
	Ref                                        int64
}

// PermanentError is a delivery failure that trying again cannot mend (the
// gateway refused the number or the message): the worker moves the
// notice to the dead-letter list at once, where staff see why.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// SMSChannel sends notices whose recipient is a mobile number through an
// SMS provider.
type SMSChannel struct {
	Provider *SMSProvider
	Client   *http.Client
	// Getenv reads the variables named in headers; nil is os.Getenv.
	Getenv func(string) string
}

// Name implements frontline.Channel.
func (SMSChannel) Name() string { return "sms" }

// Deliver implements frontline.Channel: 5xx answers, timeouts and lost
// connections are tried again; a recipient that is not a mobile number or
// a 4xx answer is a PermanentError.
func (c SMSChannel) Deliver(ctx context.Context, n *frontline.Notice) error {
	p := c.Provider
	phone, err := frontline.NormalizePhone(n.Recipient)
	if err != nil || !frontline.IsMobile(phone) {
		return &PermanentError{fmt.Errorf("%q is not a mobile number", frontline.MaskPhone(n.Recipient))}
	}
	msg := smsMessage{Phone: phone, Sign: p.Sign, Text: n.Body, Template: p.Templates[n.Topic], Topic: n.Topic,
		Params: n.Params, Ref: n.ID}
	if msg.Params == nil {
		msg.Params = map[string]string{}
	}
	if p.Sign != "" {
		msg.Signed = "【" + p.Sign + "】" + n.Body
	} else {
		msg.Signed = n.Body
	}
	var body bytes.Buffer
	if err := p.body.Execute(&body, msg); err != nil {
		return &PermanentError{fmt.Errorf("provider %s: body template: %w", p.Name, err)}
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, &body)
	if err != nil {
		return &PermanentError{err}
	}
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	for k, v := range p.Headers {
		req.Header.Set(k, os.Expand(v, getenv))
	}
	resp, answer, err := send(c.Client, req, n.ID)
	if err != nil {
		return fmt.Errorf("provider %s: %w", p.Name, err)
	}
	return p.check(resp.StatusCode, resp.Status, answer)
}

// check decides from the answer whether the gateway took the message.
func (p *SMSProvider) check(code int, status string, answer []byte) error {
	ok := code/100 == 2
	if len(p.Success.Status) > 0 {
		ok = slices.Contains(p.Success.Status, code)
	}
	switch {
	case !ok && (code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout):
		return fmt.Errorf("provider %s answered %s", p.Name, status)
	case !ok:
		return &PermanentError{fmt.Errorf("provider %s refused the message: %s %s", p.Name, status, snippet(answer))}
	case p.match != nil && !p.match.Match(answer):
		return &PermanentError{fmt.Errorf("provider %s did not accept the message: %s", p.Name, snippet(answer))}
	}
	return nil
}

// snippet is the start of a gateway's answer, for the dead-letter list.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
