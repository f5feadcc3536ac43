package web

// stationMessages are the station page's texts about a tube scanned again.
func stationMessages() map[string]message {
	return map[string]message{
		"station.tube.closed": {"采样管 %s %s，不能再装入任何人：请换一支新管。", "Tube %s is %s and takes no one else: take a new tube."},
	}
}
