package frontline

// IsMobile reports whether a phone number, as NormalizePhone writes it,
// is a mainland mobile number: the only kind an SMS reaches.
func IsMobile(phone string) bool {
	if len(phone) != 11 || phone[0] != '1' || phone[1] < '3' {
		return false
	}
	for _, r := range phone {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
