package demo

import (
	"context"

	"github.com/frontline-org/frontline"
)

// RetentionNote is why the demo's retention rules changed.
const RetentionNote = "区疫情防控指挥部通知：核酸检测人员信息保存 14 天，卡点通行记录保存 7 天"

// Retention saves the demo's own version of the retention rules, so the
// retention page (/retention, linked from the audit log) shows a version
// an office set, beside the defaults of the other kinds, and what falls
// due when once today's round closes.
func Retention(ctx context.Context, rs frontline.RetentionService) (*frontline.RetentionRules, error) {
	r := &frontline.RetentionRules{Days: map[frontline.RetentionKind]int{frontline.RetainRounds: 14, frontline.RetainPassages: 7},
		Note: RetentionNote}
	if err := rs.SaveRules(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}
