package sqldbtest

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// ReceiveTubes brings sealed tubes to the lab as a station and the lab
// would, so that their results are recorded rather than held: each is
// packed alone in a bag named "BAG-" and its code, and the bag received
// with the tube in it. Tubes received already, and home re-test tubes
// (which go to the lab on their own), are left as they are.
func ReceiveTubes(tb testing.TB, db *sqldb.DB, codes ...string) {
	tb.Helper()
	ctx := context.Background()
	lab, samp := sqldb.NewLabService(db), sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	defer samp.Close()
	for _, code := range codes {
		t, _, err := samp.FindTube(ctx, code)
		if err != nil {
			tb.Fatalf("tube %s: %v", code, err)
		}
		if t.State != frontline.TubeSealed || t.Retest {
			continue
		}
		bag := "BAG-" + code
		if _, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: t.RoundID, Code: bag, Count: 1, TubeCodes: []string{code}}); err != nil {
			tb.Fatalf("bag %s: %v", code, err)
		}
		if _, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: bag, TubeCodes: []string{code}}); err != nil {
			tb.Fatalf("receive %s: %v", bag, err)
		}
	}
}
