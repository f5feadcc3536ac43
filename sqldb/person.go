package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.PersonService = (*PersonService)(nil)

// PersonService stores residents.
type PersonService struct{ db *DB }

// NewPersonService returns a PersonService on db.
func NewPersonService(db *DB) *PersonService { return &PersonService{db: db} }

const personColumns = `p.id, p.household_id, p.name, p.sex, p.birth_date, p.id_type, p.id_number, p.phone,
	p.relation, p.flags, p.status, p.created_at, p.created_by, p.updated_at, p.updated_by`

func scanPerson(sc interface{ Scan(...any) error }, extra ...any) (*frontline.Person, error) {
	var p frontline.Person
	var flags string
	dest := append([]any{&p.ID, &p.HouseholdID, &p.Name, &p.Sex, &p.BirthDate, &p.IDType, &p.IDNumber, &p.Phone,
		&p.Relation, &flags, &p.Status, &p.CreatedAt, &p.CreatedBy, &p.UpdatedAt, &p.UpdatedBy}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	p.Flags = splitFlags(flags)
	return &p, nil
}

func joinFlags(flags []frontline.Flag) string {
	s := make([]string, len(flags))
	for i, f := range flags {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func splitFlags(s string) []frontline.Flag {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	flags := make([]frontline.Flag, len(parts))
	for i, p := range parts {
		flags[i] = frontline.Flag(p)
	}
	return flags
}

// personCounts is what one person adds to the counts of their household's
// ancestors.
func personCounts(p *frontline.Person) counts {
	if !p.Counted() {
		return counts{}
	}
	c := counts{residents: 1}
	if p.Vulnerable() {
		c.vulnerable = 1
	}
	return c
}

func (c counts) sub(o counts) counts {
	return counts{c.households - o.households, c.residents - o.residents, c.vulnerable - o.vulnerable}
}

// auditFields are the fields recorded in the audit log. ID numbers and
// phones are recorded masked: whoever reads the log should not learn them
// from it.
func auditFields(p *frontline.Person) map[string]any {
	return map[string]any{
		"household_id": p.HouseholdID, "name": p.Name, "sex": p.Sex, "birth_date": p.BirthDate,
		"id_type": p.IDType, "id_number": frontline.MaskIDNumber(p.IDNumber), "phone": frontline.MaskPhone(p.Phone),
		"relation": p.Relation, "flags": joinFlags(p.Flags), "status": p.Status,
	}
}

// changedFields keeps the keys whose values differ between before and after.
// Values are compared deeply: a round's pool policy is a map, which == cannot
// compare (it panicked on every policy change).
func changedFields(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if !reflect.DeepEqual(before[k], after[k]) {
			b[k], a[k] = before[k], after[k]
		}
	}
	return b, a
}

// FindPersonByID returns one person with their household.
func (s *PersonService) FindPersonByID(ctx context.Context, id int64) (*frontline.Person, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findPersonByID(ctx, id)
}

func (tx *Tx) findPersonByID(ctx context.Context, id int64) (*frontline.Person, error) {
	people, _, err := tx.findPersons(ctx, frontline.PersonFilter{ID: &id, IncludeMoved: true})
	if err != nil {
		return nil, err
	} else if len(people) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "person %d not found", id)
	}
	return people[0], nil
}

// FindPersons returns matching persons ordered by household path, and the
// total before paging.
func (s *PersonService) FindPersons(ctx context.Context, f frontline.PersonFilter) ([]*frontline.Person, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return tx.findPersons(ctx, f)
}

func (tx *Tx) findPersons(ctx context.Context, f frontline.PersonFilter) ([]*frontline.Person, int, error) {
	cond, args, under, err := tx.personWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := tx.personTotal(ctx, f, under, personFrom+cond, args)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+`, `+placeColumnsOf("h")+personFrom+cond+
		` ORDER BY h.path, p.id`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	people := make([]*frontline.Person, 0)
	for rows.Next() {
		p, err := scanPersonWithHousehold(rows)
		if err != nil {
			return nil, 0, err
		}
		people = append(people, p)
	}
	return people, total, rows.Err()
}

const personFrom = ` FROM persons p JOIN places h ON h.id = p.household_id WHERE `

func scanPersonWithHousehold(rows *sql.Rows) (*frontline.Person, error) {
	var h frontline.Place
	p, err := scanPerson(rows, &h.ID, &h.ParentID, &h.Kind, &h.Name, &h.Code, &h.Path,
		&h.Households, &h.Residents, &h.Vulnerable, &h.CreatedAt, &h.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.Household = &h
	return p, nil
}

// personWhere builds the WHERE clause of a person filter, limited to the
// caller's scope by the household's path; it also returns the subtree node
// when the filter has one.
func (tx *Tx) personWhere(ctx context.Context, f frontline.PersonFilter) (string, []any, *frontline.Place, error) {
	where, args := []string{"1 = 1"}, []any{}
	var under *frontline.Place
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return "", nil, nil, err
		}
		under = top
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "h.path > ? AND h.path < ?"), append(args, lo, hi)
	}
	if v := f.ID; v != nil {
		where, args = append(where, "p.id = ?"), append(args, *v)
	}
	if v := f.HouseholdID; v != nil {
		where, args = append(where, "p.household_id = ?"), append(args, *v)
	}
	if v := f.Name; v != nil {
		name := frontline.CleanName(*v)
		where, args = append(where, "p.name >= ? AND p.name < ?"), append(args, name, name+"\U0010FFFF")
	}
	if v := f.Phone; v != nil {
		phone, err := frontline.NormalizePhone(*v)
		if err != nil {
			phone = *v
		}
		where, args = append(where, "p.phone = ?"), append(args, phone)
	}
	if v := f.IDNumber; v != nil {
		n := frontline.NormalizeIDNumber(*v)
		switch {
		case len(n) >= 15:
			where, args = append(where, "p.id_number = ?"), append(args, n)
		case len(n) >= 4:
			where = append(where, "p.id_tail = ? AND substr(p.id_number, length(p.id_number) - ? + 1) = ?")
			args = append(args, n[len(n)-4:], len(n), n)
		default:
			return "", nil, nil, frontline.FieldError("id_number", "give at least the last 4 characters of the ID number")
		}
	}
	if !f.IncludeMoved {
		where, args = append(where, "p.status <> ?"), append(args, string(frontline.StatusMovedOut))
	} else if f.ID == nil {
		// A person merged into another is a record of history, not a
		// resident who moved away: found by id only.
		where = append(where, "p.merged_into IS NULL")
	}
	if f.OnlyFlagged {
		where = append(where, "p.flags <> ''")
	}
	where, args = andScope(ctx, "h.path", where, args)
	return strings.Join(where, " AND "), args, under, nil
}

// personTotal counts the matches. A filter by subtree alone is answered
// from the node's maintained counts, so paging through a city's residents
// does not count millions of rows for every page.
func (tx *Tx) personTotal(ctx context.Context, f frontline.PersonFilter, under *frontline.Place, fromWhere string, args []any) (int, error) {
	onlyUnder := f == frontline.PersonFilter{Under: f.Under, OnlyFlagged: f.OnlyFlagged, Offset: f.Offset, Limit: f.Limit}
	if under != nil && onlyUnder {
		if f.OnlyFlagged {
			return under.Vulnerable, nil
		}
		return under.Residents, nil
	}
	var total int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+fromWhere, args...).Scan(&total)
	return total, err
}

// household returns the household node with id, or an error saying the id
// is not a household.
func (tx *Tx) household(ctx context.Context, id int64) (*frontline.Place, error) {
	h, err := tx.findPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.Kind != frontline.KindHousehold {
		return nil, frontline.FieldError("household_id", "%s is a %s, not a household", h.Name, h.Kind)
	}
	return h, nil
}

// liveHousehold returns the household with id for someone or something
// to be added to it: a retired one takes nothing new.
func (tx *Tx) liveHousehold(ctx context.Context, id int64) (*frontline.Place, error) {
	h, err := tx.household(ctx, id)
	if err == nil && h.Retired() {
		return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "household_id", Message: frontline.ErrorMessage(retired(h))}
	}
	return h, err
}

// CreatePerson adds a person to a household.
func (s *PersonService) CreatePerson(ctx context.Context, p *frontline.Person) error {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := p.Validate(tx.now); err != nil {
		return err
	}
	h, err := tx.liveHousehold(ctx, p.HouseholdID)
	if err != nil {
		return err
	}
	if err := tx.checkIDNumberFree(ctx, p); err != nil {
		return err
	}
	actor := frontline.ActorFrom(ctx).String()
	p.CreatedAt, p.UpdatedAt, p.CreatedBy, p.UpdatedBy = tx.now, tx.now, actor, actor
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO persons (household_id, name, sex, birth_date, id_type, id_number, id_tail, phone,
			relation, flags, status, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		personValues(p, tx.timeArg())...).Scan(&p.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.addCounts(ctx, h.Path, personCounts(p), false); err != nil {
		return err
	}
	if err := tx.audit(ctx, "create", "person", p.ID, h.Path, nil, auditFields(p)); err != nil {
		return err
	}
	if err := tx.contactIfGuarded(ctx, p, h); err != nil {
		return err
	}
	p.Household = h
	return tx.Commit()
}

// personValues are the columns of a new person, created at the time at.
func personValues(p *frontline.Person, at any) []any {
	return []any{p.HouseholdID, p.Name, string(p.Sex), p.BirthDate, string(p.IDType), p.IDNumber, idTail(p.IDNumber),
		p.Phone, string(p.Relation), joinFlags(p.Flags), string(p.Status), at, p.CreatedBy, at, p.UpdatedBy}
}

func idTail(n string) string {
	if len(n) <= 4 {
		return n
	}
	return n[len(n)-4:]
}

// checkIDNumberFree returns ECONFLICT naming the holder and their place when
// p's document number already belongs to another person. The number is
// unique in the whole registry, so the conflict is reported even when the
// holder is outside the caller's scope, but without naming them.
func (tx *Tx) checkIDNumberFree(ctx context.Context, p *frontline.Person) error {
	if p.IDType == frontline.IDNone {
		return tx.checkNoDocumentFree(ctx, p)
	}
	var id int64
	var name, path string
	err := tx.QueryRowContext(ctx, `SELECT p.id, p.name, h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE p.id_number = ? AND p.id_type = ? AND p.id <> ?`, p.IDNumber, string(p.IDType), p.ID).Scan(&id, &name, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	holder, err := tx.holder(ctx, name, path)
	if err != nil {
		return err
	}
	return &frontline.Error{Code: frontline.ECONFLICT, Field: "id_number",
		Message: "ID number " + frontline.MaskIDNumber(p.IDNumber) + " already belongs to " + holder}
}

// checkNoDocumentFree returns ECONFLICT when p, a person without a
// document, is already registered in their household
// (frontline.SamePersonWithoutDocument).
func (tx *Tx) checkNoDocumentFree(ctx context.Context, p *frontline.Person) error {
	rows, err := tx.QueryContext(ctx, `SELECT phone FROM persons
		WHERE household_id = ? AND id_type = 'none' AND name = ? AND birth_date = ? AND id <> ?`,
		p.HouseholdID, p.Name, p.BirthDate, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		other := frontline.Person{IDType: frontline.IDNone, HouseholdID: p.HouseholdID, Name: p.Name, BirthDate: p.BirthDate}
		if err := rows.Scan(&other.Phone); err != nil {
			return err
		}
		if frontline.SamePersonWithoutDocument(p, &other) {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "name",
				Message: fmt.Sprintf("%s, born %s, without a document, is already registered in this household", p.Name, p.BirthDate)}
		}
	}
	return rows.Err()
}

// holder describes the registered holder of a document number for a
// conflict message: "张三 at 大城街道/…/101" inside the caller's scope, and
// nothing that identifies them outside it.
func (tx *Tx) holder(ctx context.Context, name, path string) (string, error) {
	if !visible(ctx, path) {
		return "a person registered outside your area (ask the office above you to move them)", nil
	}
	addr, err := tx.address(ctx, path)
	if err != nil {
		return "", err
	}
	return name + " at " + addr, nil
}

// address returns the names along a path below the district, joined by "/"
// (the city and district are the same for everyone in a community's list).
func (tx *Tx) address(ctx context.Context, path string) (string, error) {
	ids := frontline.PathIDs(path)
	rows, err := tx.QueryContext(ctx, `SELECT kind, name FROM places WHERE id IN `+inList(len(ids))+` ORDER BY path`, int64Args(ids)...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var kind frontline.PlaceKind
		var name string
		if err := rows.Scan(&kind, &name); err != nil {
			return "", err
		}
		if kind.Rank() > frontline.KindDistrict.Rank() || len(ids) <= 2 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "/"), rows.Err()
}
