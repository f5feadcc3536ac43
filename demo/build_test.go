package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestBuild(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		sum, err := demo.Build(ctx, demo.Config{}, places, sqldb.NewImportService(db))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Residents != demo.DefaultResidents {
			t.Fatalf("summary residents = %d, want %d", sum.Residents, demo.DefaultResidents)
		}
		city := findPath(t, places, demo.CityName)
		if city.ID != sum.City.ID || city.Residents != sum.Residents || city.Households != sum.Households || city.Vulnerable != sum.Vulnerable {
			t.Fatalf("city %+v, summary %+v", city, sum)
		}
		for kind, want := range sum.Places {
			k := kind
			if _, total, err := places.FindPlaces(ctx, frontline.PlaceFilter{Kind: &k, Limit: 1}); err != nil || total != want {
				t.Errorf("%s: %d in the database, %d in the summary (%v)", kind, total, want, err)
			}
		}
		if sum.Places[frontline.KindHousehold] != sum.Households || sum.Places[frontline.KindSubdistrict] != 7 || len(sum.Subdistricts) != 7 {
			t.Errorf("summary places %v", sum.Places)
		}
		for _, n := range []struct {
			path string
			ref  demo.Ref
			kind frontline.PlaceKind
		}{
			{demo.CityName + "/" + demo.DistrictName, sum.District, frontline.KindDistrict},
			{demo.CityName + "/" + demo.DistrictName + "/大城街道", sum.Subdistricts[0], frontline.KindSubdistrict},
			{demo.CityName + "/" + demo.DistrictName + "/中城街道", sum.Subdistricts[1], frontline.KindSubdistrict},
			{"天水市/秦州区/大城街道/罗玉新村社区", sum.Luoyuxincun, frontline.KindCommunity},
			{"天水市/秦州区/大城街道/罗玉新村社区/枣园小区", sum.Zaoyuan, frontline.KindCompound},
			{"天水市/秦州区/中城街道/自治巷社区", sum.Zizhixiang, frontline.KindCommunity},
			{"天水市/秦州区/中城街道/自治巷社区/忠义巷小区", sum.Zhongyixiang, frontline.KindCompound},
		} {
			p := findPath(t, places, n.path)
			if p.ID != n.ref.ID || p.Kind != n.kind || p.Residents == 0 {
				t.Errorf("%s: %+v, summary says %+v", n.path, p, n.ref)
			}
		}
		if sum.Subdistricts[0].Code != "620502001000" || sum.Luoyuxincun.Code != "620502001001" {
			t.Errorf("codes %s %s", sum.Subdistricts[0].Code, sum.Luoyuxincun.Code)
		}
		if bad, err := db.CheckCounts(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("counts differ from a recount: %v %v", bad, err)
		}
		t.Run("ErrExists", func(t *testing.T) {
			_, err := demo.Build(ctx, demo.Config{}, places, sqldb.NewImportService(db))
			if frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("second build: err = %v, want ECONFLICT", err)
			}
		})
	})
}

func TestBuild_ErrResidents(t *testing.T) {
	_, err := demo.Build(context.Background(), demo.Config{Residents: 10}, nil, nil)
	if frontline.ErrorCode(err) != frontline.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
}

// corrupting spoils one row of each file before importing it, as a
// generator bug would.
type corrupting struct{ frontline.ImportService }

func (c corrupting) ImportResidents(ctx context.Context, f *frontline.ResidentFile, opts frontline.ImportOptions) (*frontline.ImportResult, error) {
	f.Rows[3].Person.IDNumber = "620502"
	return c.ImportService.ImportResidents(ctx, f, opts)
}

func TestBuild_ErrRejected(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	_, err := demo.Build(context.Background(), demo.Config{}, sqldb.NewPlaceService(db), corrupting{sqldb.NewImportService(db)})
	if frontline.ErrorCode(err) != frontline.EINTERNAL || !strings.Contains(err.Error(), "row 5") || !strings.Contains(err.Error(), "罗玉新村社区") {
		t.Fatalf("err = %v, want EINTERNAL naming row 5 of 罗玉新村社区", err)
	}
}

func findPath(tb testing.TB, places frontline.PlaceService, path string) *frontline.Place {
	tb.Helper()
	p, err := places.FindPlaceByPath(context.Background(), path)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return p
}

// BenchmarkBuild builds a 100,000-resident city and reports residents
// written per second, on SQLite and (when its URL is set) PostgreSQL.
func BenchmarkBuild(b *testing.B) {
	const residents = 100_000
	for _, e := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := sqldbtest.Open(b, e)
				b.StartTimer()
				if _, err := demo.Build(context.Background(), demo.Config{Residents: residents},
					sqldb.NewPlaceService(db), sqldb.NewImportService(db)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(residents*b.N)/b.Elapsed().Seconds(), "residents/s")
		})
	}
}
