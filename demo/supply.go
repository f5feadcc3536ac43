package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// The report's supplies: nearby supermarkets deliver per household order
// to the sealed compound, and a pharmacy arranged by the market-regulation
// office serves its sick. The demo registers 自治巷超市 and 自治巷药房 for
// 忠义巷小区 with their catalogues, links the shop and pharmacy logins, and
// has the compound's households ordering: some on their own, some through
// staff, and 1号楼's group order gathered by its leader and sent.

// SupplyServices are what Supply writes through.
type SupplyServices struct {
	Places   frontline.PlaceService
	Partners frontline.PartnerService
	Orders   frontline.OrderService
}

// SupplyScene says what Supply created.
type SupplyScene struct {
	Shop, Pharmacy *frontline.Partner
	Orders         []*frontline.Order
	Group          *frontline.OrderGroup
}

// ShopCatalog is 自治巷超市's list: what a neighbourhood supermarket sent
// sealed compounds in 2022, with a limit per household on the staples.
func ShopCatalog() []frontline.CatalogItem {
	return []frontline.CatalogItem{
		{Code: "1001", Name: "大米", Spec: "5kg", Unit: "袋", Category: "粮油", Price: 3990, Stock: 300, Limit: 2},
		{Code: "1002", Name: "面粉", Spec: "5kg", Unit: "袋", Category: "粮油", Price: 2980, Stock: 200, Limit: 2},
		{Code: "1003", Name: "食用油", Spec: "5L", Unit: "桶", Category: "粮油", Price: 6990, Stock: 120, Limit: 1},
		{Code: "1004", Name: "挂面", Spec: "1kg", Unit: "袋", Category: "粮油", Price: 890, Stock: 400},
		{Code: "2001", Name: "鸡蛋", Spec: "30枚", Unit: "盒", Category: "肉蛋", Price: 2500, Stock: 150, Limit: 2},
		{Code: "3001", Name: "青菜", Unit: "斤", Category: "蔬菜", Price: 350, Stock: 600},
		{Code: "3002", Name: "土豆", Unit: "斤", Category: "蔬菜", Price: 250, Stock: 800},
		{Code: "3003", Name: "西红柿", Unit: "斤", Category: "蔬菜", Price: 450, Stock: 500},
		{Code: "4001", Name: "纯牛奶", Spec: "250ml×12", Unit: "箱", Category: "乳品", Price: 4200, Stock: 100, Limit: 1},
		{Code: "5001", Name: "卫生纸", Spec: "10卷", Unit: "提", Category: "日用", Price: 2590, Stock: 200},
		{Code: "5002", Name: "婴儿配方奶粉", Spec: "800g", Unit: "罐", Category: "母婴", Price: 26800, Stock: 20, Limit: 2},
	}
}

// PharmacyCatalog is 自治巷药房's list: chronic medicine, fever medicine,
// and what a household under seal needs to watch its health.
func PharmacyCatalog() []frontline.CatalogItem {
	return []frontline.CatalogItem{
		{Code: "Y001", Name: "二甲双胍缓释片", Spec: "0.5g×30片", Unit: "盒", Category: "慢病用药", Price: 1850, Stock: 80, Limit: 3},
		{Code: "Y002", Name: "硝苯地平控释片", Spec: "30mg×7片", Unit: "盒", Category: "慢病用药", Price: 3260, Stock: 60, Limit: 4},
		{Code: "Y003", Name: "布洛芬缓释胶囊", Spec: "0.3g×20粒", Unit: "盒", Category: "退热止痛", Price: 1580, Stock: 100, Limit: 2},
		{Code: "Y004", Name: "对乙酰氨基酚片", Spec: "0.5g×10片", Unit: "盒", Category: "退热止痛", Price: 650, Stock: 100, Limit: 2},
		{Code: "Y005", Name: "电子体温计", Unit: "支", Category: "器械", Price: 2500, Stock: 40, Limit: 1},
		{Code: "Y006", Name: "医用外科口罩", Spec: "50只", Unit: "盒", Category: "防护", Price: 3500, Stock: 200, Limit: 2},
	}
}

// Supply registers the demo's partners for 忠义巷小区 and places its
// households' orders for tomorrow.
func Supply(ctx context.Context, s SupplyServices, now time.Time) (*SupplyScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	zizhi, err := s.Places.FindPlaceByPath(ctx, PathZizhixiang)
	if err != nil {
		return nil, fmt.Errorf("demo supply: %w", err)
	}
	zhong, err := s.Places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return nil, fmt.Errorf("demo supply: %w", err)
	}
	sc := &SupplyScene{
		Shop: &frontline.Partner{Kind: frontline.PartnerShop, Name: "自治巷超市", Phone: "09388210001", Address: "自治巷12号",
			PlaceID: zizhi.ID, Areas: []int64{zhong.ID}},
		Pharmacy: &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "自治巷药房", Phone: "09388210002", Address: "自治巷20号",
			PlaceID: zizhi.ID, Areas: []int64{zhong.ID}},
	}
	for _, p := range []struct {
		partner *frontline.Partner
		login   string
		items   []frontline.CatalogItem
	}{{sc.Shop, "shop", ShopCatalog()}, {sc.Pharmacy, "pharmacy", PharmacyCatalog()}} {
		if err := s.Partners.CreatePartner(ctx, p.partner); err != nil {
			return nil, fmt.Errorf("demo supply: %s: %w", p.partner.Name, err)
		}
		if err := s.Partners.LinkPartnerUser(ctx, p.partner.ID, p.login); err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return nil, fmt.Errorf("demo supply: link %s: %w", p.login, err)
		}
		rows := make([]frontline.CatalogRow, len(p.items))
		for i, it := range p.items {
			rows[i] = frontline.CatalogRow{Row: i + 2, Item: it}
		}
		if _, err := s.Partners.ImportCatalog(ctx, p.partner.ID, rows, false); err != nil {
			return nil, fmt.Errorf("demo supply: %s's catalogue: %w", p.partner.Name, err)
		}
	}
	if err := s.Partners.SetOrderWindow(ctx, &frontline.OrderWindow{PlaceID: zhong.ID, Cutoff: 20 * 60, DeliveryDays: 1}); err != nil {
		return nil, fmt.Errorf("demo supply: window: %w", err)
	}
	if err := demoOrders(ctx, s, sc, zhong); err != nil {
		return nil, fmt.Errorf("demo supply: orders: %w", err)
	}
	return sc, nil
}

// demoOrders places the orders of 忠义巷小区: the first households of
// each building order groceries (every third one also medicine), and
// 1号楼's leader gathers a group order of three more.
func demoOrders(ctx context.Context, s SupplyServices, sc *SupplyScene, zhong *frontline.Place) error {
	shop, err := s.Partners.Catalog(ctx, sc.Shop.ID, false)
	if err != nil {
		return err
	}
	pharmacy, err := s.Partners.Catalog(ctx, sc.Pharmacy.ID, false)
	if err != nil {
		return err
	}
	code := func(items []*frontline.CatalogItem, c string) int64 {
		for _, it := range items {
			if it.Code == c {
				return it.ID
			}
		}
		return 0
	}
	buildings, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &zhong.ID, Kind: ptrKind(frontline.KindBuilding), Limit: 100})
	if err != nil {
		return err
	}
	baskets := []map[string]int{{"1001": 1, "3001": 2, "2001": 1}, {"1004": 2, "3002": 3, "3003": 2}, {"4001": 1, "5001": 1, "3001": 1}}
	for bi, b := range buildings {
		hhs, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &b.ID, Kind: ptrKind(frontline.KindHousehold), Limit: 8})
		if err != nil {
			return err
		}
		for i, hh := range hhs {
			if bi == 0 && i >= 5 {
				if sc.Group == nil {
					sc.Group = &frontline.OrderGroup{PartnerID: sc.Shop.ID, PlaceID: b.ID, Leader: b.Name + "楼长"}
					if err := s.Orders.CreateGroup(ctx, sc.Group); err != nil {
						return err
					}
				}
				if _, err := s.Orders.PlaceOrder(ctx, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: sc.Shop.ID, GroupID: sc.Group.ID,
					Quantities: map[int64]int{code(shop, "1002"): 1, code(shop, "3002"): 2}}); err != nil {
					return err
				}
				continue
			}
			q := map[int64]int{}
			for c, n := range baskets[(bi+i)%len(baskets)] {
				q[code(shop, c)] = n
			}
			o, err := s.Orders.PlaceOrder(ctx, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: sc.Shop.ID, Quantities: q})
			if err != nil {
				return err
			}
			sc.Orders = append(sc.Orders, o)
			if i%2 == 0 {
				if _, err := s.Orders.SetPaid(ctx, o.ID, true); err != nil {
					return err
				}
			}
			if i%3 == 0 {
				o, err := s.Orders.PlaceOrder(ctx, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: sc.Pharmacy.ID,
					Quantities: map[int64]int{code(pharmacy, "Y002"): 2, code(pharmacy, "Y006"): 1}, Note: "长期服用，请按时送到"})
				if err != nil {
					return err
				}
				sc.Orders = append(sc.Orders, o)
			}
		}
	}
	if sc.Group != nil {
		if _, err := s.Orders.SendGroup(ctx, sc.Group.ID); err != nil {
			return err
		}
	}
	return nil
}

func ptrKind(k frontline.PlaceKind) *frontline.PlaceKind { return &k }
