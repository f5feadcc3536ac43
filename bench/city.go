// Package bench builds the data sets Frontline's benchmarks run on and
// measures the hot paths: demo cities of millions of residents, kept between
// runs because building one takes minutes, and resident lists to import.
package bench

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
)

// Dir is where benchmark data is kept between runs:
// $FRONTLINE_BENCH_DIR, or frontline-bench in the temporary directory.
func Dir() (string, error) {
	dir := os.Getenv("FRONTLINE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "frontline-bench")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// CityURL returns the database URL of the demo city of the given size on
// an engine: a file in Dir for SQLite; a schema of its own in the database
// at pgURL for PostgreSQL.
func CityURL(engine sqldb.Engine, pgURL string, residents int) (string, error) {
	name := fmt.Sprintf("city_%d", residents)
	if engine == sqldb.SQLite {
		dir, err := Dir()
		if err != nil {
			return "", err
		}
		return "sqlite:" + filepath.Join(dir, name+".db"), nil
	}
	return SchemaURL(pgURL, "bench_"+name)
}

// SchemaURL creates schema (if missing) in the PostgreSQL database at base
// and returns a URL whose search_path is that schema.
func SchemaURL(base, schema string) (string, error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		return "", fmt.Errorf("create schema %s: %w", schema, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// City opens the database at dbURL and makes sure it holds the demo city
// with exactly residents residents (seed 1), building it when the database
// is empty. A database holding another city is an error rather than
// something to delete.
func City(ctx context.Context, dbURL string, residents int, logger *slog.Logger) (*sqldb.DB, *frontline.Place, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := sqldb.Open(ctx, dbURL, sqldb.Options{Synchronous: "NORMAL", Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	city, err := ensureCity(ctx, db, residents, logger)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, city, nil
}

func ensureCity(ctx context.Context, db *sqldb.DB, residents int, logger *slog.Logger) (*frontline.Place, error) {
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	places := sqldb.NewPlaceService(db)
	city, err := places.FindPlaceByPath(ctx, "天水市")
	if err == nil {
		if city.Residents != residents {
			return nil, fmt.Errorf("%s already holds a city of %d residents, not %d", db.URL, city.Residents, residents)
		}
		return city, nil
	} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return nil, err
	}
	logger.Info("building the demo city for benchmarks (once; kept for later runs)", "residents", residents, "db", db.URL)
	if _, err := demo.Build(ctx, demo.Config{Residents: residents, Logger: logger}, places, sqldb.NewImportService(db)); err != nil {
		return nil, err
	}
	return places.FindPlaceByPath(ctx, "天水市")
}

// ResidentCSV returns the path of a resident list of the given size: the
// full export of a SQLite demo city of that size, made once and kept in
// Dir. The file has every column of formats/residents.md, so importing it
// exercises the whole parser.
func ResidentCSV(ctx context.Context, residents int, logger *slog.Logger) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("residents_%d.csv", residents))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	cityURL, err := CityURL(sqldb.SQLite, "", residents)
	if err != nil {
		return "", err
	}
	db, _, err := City(ctx, cityURL, residents, logger)
	if err != nil {
		return "", err
	}
	defer db.Close()
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	_, err = residentfile.Export(ctx, sqldb.NewPlaceService(db), sqldb.NewPersonService(db),
		residentfile.ExportOptions{Format: "csv", Full: true}, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// ResidentXLSX returns the resident list at csvPath as an XLSX workbook
// beside it, written once (as offices save a list from Excel).
func ResidentXLSX(csvPath string) (string, error) {
	path := strings.TrimSuffix(csvPath, ".csv") + ".xlsx"
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	in, err := os.Open(csvPath)
	if err != nil {
		return "", err
	}
	defer in.Close()
	r := csv.NewReader(bufio.NewReader(in))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return "", err
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	tmp := path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	defer out.Close()
	w, err := residentfile.NewWriter(out, "xlsx", "居民花名册", header)
	if err != nil {
		return "", err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
		for i := range rec {
			rec[i] = strings.TrimLeft(rec[i], "\t")
		}
		if err := w.Write(rec); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
