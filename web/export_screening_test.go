package web

// screeningMessageIDs lists the message ids the screening pages build at
// run time: symptoms, the reasons a follow-up form is refused, the fields
// of the risk-area form.
func screeningMessageIDs() []string {
	var ids []string
	for _, c := range symptomCodes() {
		ids = append(ids, "symptom."+c)
	}
	for _, r := range followUpReasons {
		ids = append(ids, "followup.error."+r)
	}
	for _, f := range riskAreaFields {
		ids = append(ids, "riskarea.invalid."+f)
	}
	return ids
}
