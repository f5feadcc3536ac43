package sqldb

import (
	"context"
	"database/sql"
	"hash/maphash"

	"github.com/frontline-org/frontline"
)

// A list imported again names mostly persons registered under the import
// node, as registered. Looking each up by number (500 numbers a query) was
// most of a re-import's time: 4.7 of SQLite's 11.7 CPU seconds for 300,000
// rows. Once a big enough share of the node's persons has been read from
// the file, the node's persons with a document are loaded instead, in one
// query: their number, id, household and a fingerprint of what a row may
// change, about 40 bytes each. A row that names one of them in the same
// household with the same details is unchanged without a lookup; any
// other row (new, changed, moved, held outside the node, or with a detail
// the fingerprint cannot decide) is looked up as before.

// knownShare: the node's persons are loaded once the rows checked reach
// 1/knownShare of its residents. Loading a person cost about 4 µs of CPU,
// a lookup 15 µs (300,000 rows, SQLite): a file that names a sixty-fourth
// of the node pays for the load in lookups saved once it is about four
// times as long, and a shorter one spends at most about a second more.
const knownShare = 64

// knownMinRows is how many rows are checked before the persons are
// loaded, whatever the node's size.
const knownMinRows = 2048

// knownPerson is a registered person with a document under the import
// node.
type knownPerson struct {
	id, household int64
	sum           uint64 // fingerprint, see knownSet.sum
}

// knownSet holds the persons with a document under the import node, by
// document. Mainland ID numbers, nearly all of them, are packed into a
// number (as the reader does to find duplicates).
type knownSet struct {
	mainland map[uint64]knownPerson
	other    map[string]knownPerson // id_type ":" number
	seed     maphash.Seed
	// fields says which of the details that a row may leave empty the
	// fingerprint covers: those the file has a column for, and sex and
	// birth date, which a mainland ID number gives when the file does not.
	phone, relation, sex, birth bool
	withFlags, withStatus       bool
}

// packMainland packs a mainland ID number: its 17 digits times 11 plus
// the check character (X is 10).
func packMainland(t frontline.IDType, n string) (uint64, bool) {
	if t != frontline.IDMainland || len(n) != 18 {
		return 0, false
	}
	var v uint64
	for i := range 17 {
		c := n[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch c := n[17]; {
	case c >= '0' && c <= '9':
		return v*11 + uint64(c-'0'), true
	case c == 'X':
		return v*11 + 10, true
	}
	return 0, false
}

func (k *knownSet) get(t frontline.IDType, n string) (knownPerson, bool) {
	if v, ok := packMainland(t, n); ok {
		p, found := k.mainland[v]
		return p, found
	}
	p, found := k.other[string(t)+":"+n]
	return p, found
}

func (k *knownSet) put(t frontline.IDType, n string, p knownPerson) {
	if v, ok := packMainland(t, n); ok {
		k.mainland[v] = p
		return
	}
	k.other[string(t)+":"+n] = p
}

// sumStrings fingerprints what decides whether a row leaves a registered person
// unchanged (see merged): the name (a number listed with another name is
// refused) and the details the set covers; flags and status as the file
// has them when it has their column, and otherwise only whether the
// person had moved out (listed again, they move back). A fingerprint is
// 64 bits of a keyed hash: two different sets of details give the same
// one with a chance of 2⁻⁶⁴.
func sumStrings(seed maphash.Seed, fields *[7]string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, f := range fields {
		h.WriteString(f)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// sumBytes is sumStrings of details read as bytes: the same details give
// the same fingerprint.
func sumBytes(seed maphash.Seed, fields *[7][]byte) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, f := range fields {
		h.Write(f)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// Positions of the details in a fingerprint.
const (
	sumName = iota
	sumSex
	sumBirth
	sumPhone
	sumRelation
	sumFlags
	sumStatus
)

// movedOut stands for the status of a person who moved out, in the
// fingerprint of a file without a status column.
var movedOut = []byte("moved out")

// registeredSum is the fingerprint of a registered person, read into
// fields (as sql.RawBytes: loading a million persons allocates nothing
// per person but the map's entries).
func (k *knownSet) registeredSum(fields *[7][]byte) uint64 {
	for i, covered := range [...]bool{sumSex: k.sex, sumBirth: k.birth, sumPhone: k.phone, sumRelation: k.relation, sumFlags: k.withFlags} {
		if i != sumName && !covered {
			fields[i] = nil
		}
	}
	if !k.withStatus {
		if string(fields[sumStatus]) == string(frontline.StatusMovedOut) {
			fields[sumStatus] = movedOut
		} else {
			fields[sumStatus] = nil
		}
	}
	return sumBytes(k.seed, fields)
}

// rowSum is the fingerprint a row's person has when it leaves the
// registered person it names unchanged; false when a fingerprint cannot
// tell: a detail the set covers is empty in the row (the registered value
// stays, whatever it is), or one it does not cover is not.
func (k *knownSet) rowSum(p *frontline.Person) (uint64, bool) {
	for _, f := range [...]struct {
		covered bool
		value   string
	}{{k.sex, string(p.Sex)}, {k.birth, p.BirthDate}, {k.phone, p.Phone}, {k.relation, string(p.Relation)}} {
		if f.covered != (f.value != "") {
			return 0, false
		}
	}
	fields := [7]string{sumName: p.Name, sumSex: string(p.Sex), sumBirth: p.BirthDate, sumPhone: p.Phone, sumRelation: string(p.Relation)}
	if k.withFlags {
		fields[sumFlags] = joinFlags(p.Flags)
	}
	if k.withStatus {
		fields[sumStatus] = string(p.Status)
	}
	return sumStrings(k.seed, &fields), true
}

// loadKnown loads the persons with a document under the import node, on
// the first chunk checked once enough rows have been: see knownShare.
func (im *importer) loadKnown(ctx context.Context) error {
	if im.known != nil || im.knownTried || im.rows < max(im.svc.knownMinRows, im.under.Residents/knownShare) {
		return nil
	}
	im.knownTried = true
	_, withFlags := im.f.Columns[frontline.ColFlags]
	_, withStatus := im.f.Columns[frontline.ColStatus]
	_, phone := im.f.Columns[frontline.ColPhone]
	_, relation := im.f.Columns[frontline.ColRelation]
	k := &knownSet{mainland: make(map[uint64]knownPerson, im.under.Residents), other: map[string]knownPerson{},
		seed: maphash.MakeSeed(), phone: phone, relation: relation, sex: true, birth: true,
		withFlags: withFlags, withStatus: withStatus}
	lo, hi := subtreeRange(im.under.Path)
	rows, err := im.tx.QueryContext(ctx, `SELECT p.id, p.household_id, p.id_type, p.id_number, p.name, p.sex, p.birth_date,
		p.phone, p.relation, p.flags, p.status
		FROM places h JOIN persons p ON p.household_id = h.id
		WHERE h.path > ? AND h.path < ? AND p.id_type <> 'none'`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	var p knownPerson
	var idType, number sql.RawBytes
	var fields [7][]byte
	raw := make([]sql.RawBytes, len(fields))
	for rows.Next() {
		if err := rows.Scan(&p.id, &p.household, &idType, &number, &raw[sumName], &raw[sumSex], &raw[sumBirth],
			&raw[sumPhone], &raw[sumRelation], &raw[sumFlags], &raw[sumStatus]); err != nil {
			return err
		}
		for i := range fields {
			fields[i] = raw[i]
		}
		p.sum = k.registeredSum(&fields)
		k.put(frontline.IDType(idType), string(number), p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	im.known = k
	return nil
}

// unchangedKnown reports whether a row names a person loaded by loadKnown
// and leaves them as registered, in the household where they are; it
// then notes the row as unchanged (and the person as named, for a sync).
func (im *importer) unchangedKnown(ctx context.Context, r *frontline.ResidentRow) bool {
	if im.known == nil {
		return false
	}
	k, ok := im.known.get(r.Person.IDType, r.Person.IDNumber)
	if !ok {
		return false
	}
	h := im.home(r.Row)
	if h.isNew || h.id != k.household || !visible(ctx, h.path) {
		return false
	}
	if sum, ok := im.known.rowSum(&r.Person); !ok || sum != k.sum {
		return false
	}
	im.set(r.Row, rowUnchanged)
	if im.named != nil {
		im.named[k.id] = true
	}
	return true
}
