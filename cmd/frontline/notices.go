package main

import "github.com/frontline-org/frontline/notify"

// loadSMS reads the SMS provider file named by --sms-provider, before
// anything starts, so a broken file stops serve with the reason.
func (tf *testingFlags) loadSMS() error {
	if *tf.smsProvider == "" {
		return nil
	}
	p, err := notify.LoadSMSProvider(*tf.smsProvider)
	if err != nil {
		return usagef("--sms-provider: %v", err)
	}
	tf.sms = p
	return nil
}
