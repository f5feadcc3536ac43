package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// Medicine gives 自治巷药房 work: households of 忠义巷小区 have asked it for
// medicine — one chronic request made yesterday and now past its 24-hour
// target, one chronic request of this morning, one waiting for a doctor's
// consultation, and a fever medicine asked for just now — so the pharmacy
// login's home page lists its open requests and the alert job raises the
// late one's alert.

// MedicineServices are what Medicine writes through.
type MedicineServices struct {
	Places   frontline.PlaceService
	Partners frontline.PartnerService
	Medicine frontline.MedicineService
	// At sets the store's clock, so requests can be made as of yesterday;
	// the zero time gives it back to the wall clock.
	At func(time.Time)
}

// Medicine makes the pharmacy's requests (after Supply) and returns them.
func Medicine(ctx context.Context, s MedicineServices, now time.Time) ([]*frontline.MedicineRequest, error) {
	ps, _, err := s.Partners.FindPartners(ctx, frontline.PartnerFilter{Kind: frontline.PartnerPharmacy, Limit: 100})
	if err != nil {
		return nil, err
	}
	var pharmacy *frontline.Partner
	for _, p := range ps {
		if p.Name == "自治巷药房" {
			pharmacy = p
		}
	}
	if pharmacy == nil || len(pharmacy.Areas) == 0 {
		return nil, fmt.Errorf("demo medicine: 自治巷药房 is not registered (run Supply first)")
	}
	hhs, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &pharmacy.Areas[0], Kind: ptrKind(frontline.KindHousehold), Limit: 12})
	if err != nil {
		return nil, err
	}
	if len(hhs) < 4 {
		return nil, fmt.Errorf("demo medicine: %d households under 自治巷药房's area", len(hhs))
	}
	defer s.At(time.Time{})
	asks := []struct {
		ago time.Duration
		in  frontline.MedicineRequestInput
	}{
		{26 * time.Hour, frontline.MedicineRequestInput{Medicine: "硝苯地平控释片", Strength: "30mg×7片", Quantity: 4, Chronic: true, For: "本人（独居老人）",
			Note: "降压药只剩一天的量"}},
		{3 * time.Hour, frontline.MedicineRequestInput{Medicine: "二甲双胍缓释片", Strength: "0.5g×30片", Quantity: 2, Chronic: true, For: "父亲"}},
		{2 * time.Hour, frontline.MedicineRequestInput{Medicine: "阿莫西林胶囊", Strength: "0.25g×24粒", Quantity: 1, For: "母亲", Note: "咳嗽三天"}},
		{20 * time.Minute, frontline.MedicineRequestInput{Medicine: "布洛芬缓释胶囊", Strength: "0.3g×20粒", Quantity: 1, For: "孩子", Note: "发烧 38.5℃"}},
	}
	var out []*frontline.MedicineRequest
	for i, a := range asks {
		s.At(now.Add(-a.ago))
		in := a.in
		in.HouseholdID, in.PartnerID, in.Key = hhs[i*3%len(hhs)].ID, pharmacy.ID, fmt.Sprintf("demo-medicine-%d", i)
		m, err := s.Medicine.RequestMedicine(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("demo medicine %s: %w", in.Medicine, err)
		}
		out = append(out, m)
	}
	// The antibiotic is a prescription medicine: the pharmacy has asked
	// the community doctor to see the patient first.
	s.At(now.Add(-time.Hour))
	if _, err := s.Medicine.AskConsultation(ctx, out[2].ID, "处方药，需社区医生线上问诊后开方"); err != nil {
		return nil, err
	}
	return out, nil
}
