"""Hashed exports: known SHA-256 vectors, an independent normalization, no raw value out."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identigraph as ig
from identigraph.activation import (
    Consent,
    Exporter,
    Persons,
    google_customer_match,
    meta_customer_file,
)

# SHA-256 of the normalized literals, computed once with hashlib and written out.
SHA = {
    "ann@mail.com": "1278c97d19647cda6b0e1f95c3f56a1b2b01138fa1b468fd97ecf9f133f3e9be",
    "12015550123": "a0812289d382e13212c27c808ae6bebbb59ee887e71db3883883f0b87baebf4e",
    "+12015550123": "e7e096141fe6290f8c04e20b51a686070a9c40f7f304667849b430645aaaf07d",
    "annmarie": "2322d03565a46ece1e31e5ef0d5f79f5a0ee0dc96ff666e52948e52e0298850e",
    "obrien": "b4cb6cb33fe4b865868de825023a1e2790dc12ac01ecc8d7c5afe8254071c8ba",
    "a": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
    "sanantonio": "7267626d65bc04e85678c6be9ffa2995344699e59d99ba275a545363c3537b2c",
    "ny": "1b06e2003f8420d6fa42badd8f77ec0f706b976b7a48b13c567dc5a559681683",
    "78297": "7a52ec6189afed8114c1e1e392fb5a81a3f14fdaf54f2e3525ab2ed5acc51e73",
    "us": "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
    "1970": "ad1f3889d0032e7c2791053060e4c044837353325fbd42cdeeef65638ed31c2a",
    "10": "4a44dc15364204a80fe80e9039455cc1608281820fe2b24f1e5233ade6af1dd5",
    "07": "19b100ab7725c612f3d80ff203ca53cea5cadaafae3bf0f88f0fb4089fe08815",
    "f": "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111",
    "johndoe@gmail.com": "06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3",
    "émilie": "2863487194ad92314c0d76b8e4fe04d127789e79c94081329c682b7beea2bf6c",
    "sw1a1": "949af780a19e6f6d4b99d7044743348dbbb7ab2245fe146863573b23d02c5890",
    "m11": "bb85e451e092b31aedb250d1883a6dd8f7f8de1e302fa7167ab7f9044b0f8040",
    "gb": "0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677",
}

RAW = {
    "email": " Ann@Mail.COM ",
    "phone": "(201) 555-0123",
    "first_name": "Ann-Marie",
    "last_name": "O'Brien",
    "city": "San Antonio",
    "state": "New York",
    "postcode": "78297-1234",
    "country": "US",
    "birth_date": pd.Timestamp("1970-10-07"),
    "gender": "Female",
    "device": "AECE52E7-03EE-455A-B3C4-E57283966239",
}


def _one_person() -> tuple[ig.IdentityGraph, Persons]:
    g = ig.IdentityGraph([ig.Email("email"), ig.Phone("phone", region="US")])
    g.add(pd.DataFrame({k: [v] for k, v in RAW.items()}), source="crm")
    return g, Persons(g)


def test_meta_known_vectors() -> None:
    g, persons = _one_person()
    out = meta_customer_file(
        persons, email="email", phone="phone", first_name="first_name", last_name="last_name",
        zip="postcode", city="city", state="state", country="country", birth_date="birth_date",
        gender="gender", madid="device", max_columns=1,
    )  # fmt: skip
    row = out.frame.iloc[0]
    assert list(out.frame.columns) == [
        "EMAIL", "PHONE", "FN", "LN", "FI", "ZIP", "CT", "ST", "COUNTRY",
        "DOBY", "DOBM", "DOBD", "GEN", "MADID", "EXTERN_ID",
    ]  # fmt: skip
    assert row["EMAIL"] == SHA["ann@mail.com"]
    assert row["PHONE"] == SHA["12015550123"]  # digits with country code, no "+"
    assert row["FN"] == SHA["annmarie"]
    assert row["LN"] == SHA["obrien"]
    assert row["FI"] == SHA["a"]
    assert row["ZIP"] == SHA["78297"]
    assert row["CT"] == SHA["sanantonio"]
    assert row["ST"] == SHA["ny"]
    assert row["COUNTRY"] == SHA["us"]
    assert (row["DOBY"], row["DOBM"], row["DOBD"]) == (SHA["1970"], SHA["10"], SHA["07"])
    assert row["GEN"] == SHA["f"]
    assert row["MADID"] == "aece52e7-03ee-455a-b3c4-e57283966239"  # not hashed
    assert row["EXTERN_ID"] == str(g.person_of("crm", 0))  # not hashed


def test_google_known_vectors() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"email": ["J.o.h.n.Doe+ads@GMail.com "], "phone": ["201-555-0123"],
                        "fn": ["Ann-Marie"], "ln": ["O'Brien"], "zip": ["78297-1234"]}),
          source="crm")  # fmt: skip
    out = google_customer_match(
        Persons(g), email="email", phone="phone", first_name="fn", last_name="ln", zip="zip",
        default_country="US", max_columns=1,
    )  # fmt: skip
    assert list(out.frame.columns) == [
        "Email",
        "Phone",
        "First Name",
        "Last Name",
        "Country",
        "Zip",
    ]
    row = out.frame.iloc[0]
    assert row["Email"] == SHA["johndoe@gmail.com"]
    assert row["Phone"] == SHA["+12015550123"]  # E.164 with "+"
    assert (row["First Name"], row["Last Name"]) == (SHA["annmarie"], SHA["obrien"])
    assert (row["Country"], row["Zip"]) == ("us", "78297")  # not hashed


def _crm_persons(ids: list[Any], owners: list[int], **columns: list[Any]) -> Persons:
    """Persons of one source, ``crm``: record ``ids[i]`` of person ``owners[i]``."""
    return Persons.from_clusters(
        pd.DataFrame({"source": "crm", "record_id": ids, "person_id": owners}),
        records=pd.DataFrame({"source": "crm", "record_id": ids, **columns}),
    )


def test_uk_postcodes_to_area_district_sector() -> None:
    ids = ["a", "b", "c", "d"]
    persons = _crm_persons(
        ids, [1, 2, 3, 4], email=[f"{i}@x.com" for i in ids],
        zip=["SW1A 1AA", " m1 1ae", "NOT A CODE", "02139"], country=["UK", "gb", "GB", "US"],
    )  # fmt: skip
    meta = meta_customer_file(persons, email="email", zip="zip", country="country")
    assert meta.frame["ZIP"].tolist()[:2] == [SHA["sw1a1"], SHA["m11"]]
    assert pd.isna(meta.frame["ZIP"].iloc[2])  # not a UK postcode: no value
    assert meta.frame["COUNTRY"].tolist()[:3] == [SHA["gb"]] * 3
    google = google_customer_match(persons, email="email", zip="zip", country="country")
    assert google.frame["Zip"].tolist() == ["sw1a1aa", "m11ae", "notacode", "02139"]
    assert google.frame["Country"].tolist() == ["gb", "gb", "gb", "us"]


def test_accents_are_kept_in_utf8() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"email": ["e@x.com"], "fn": [" Émilie "]}), source="crm")
    out = meta_customer_file(Persons(g), first_name="fn")
    assert out.frame["FN"].iloc[0] == SHA["émilie"]


# -- property: equal to an independent normalization, never a raw value --------------------
_LOCAL = st.text(alphabet="abcdefgh.+", min_size=1, max_size=8).filter(
    lambda s: s[0] not in ".+" and s[-1] != "." and ".." not in s
)
_DOMAIN = st.sampled_from(["gmail.com", "googlemail.com", "mail.org", "corp.io"])
_EMAILS = st.builds(
    lambda local, domain, upper, pad: (" " * pad) + (f"{local}@{domain}".upper() if upper else
                                                      f"{local}@{domain}") + (" " * pad),
    _LOCAL, _DOMAIN, st.booleans(), st.integers(0, 2),
)  # fmt: skip


def _meta_email(raw: str) -> str:
    return raw.strip().lower()


def _google_email(raw: str) -> str:
    local, domain = raw.strip().lower().split("@")
    if domain in ("gmail.com", "googlemail.com"):
        local = local.split("+")[0].replace(".", "")
    return f"{local}@{domain}"


@settings(max_examples=30)
@given(st.lists(st.lists(_EMAILS, min_size=1, max_size=3), min_size=1, max_size=5))
def test_exports_equal_an_independent_normalization(people: list[list[str]]) -> None:
    owners = [i for i, emails in enumerate(people) for _ in emails]
    values = [e for emails in people for e in emails]
    ids = [f"r{i}" for i in range(len(values))]
    persons = _crm_persons(ids, owners, email=values)
    for export, normalize in (
        (meta_customer_file(persons, email="email", extern_id=False), _meta_email),
        (google_customer_match(persons, email="email"), _google_email),
    ):
        frame = export.frame
        cells = {v for v in frame.to_numpy().ravel().tolist() if isinstance(v, str)}
        assert not cells & set(values)  # no raw value is written
        assert not cells & {v.strip().lower() for v in values}
        for row, pid in enumerate(export.person_ids):
            expected = {hashlib.sha256(normalize(v).encode()).hexdigest() for v in people[int(pid)]}
            got = {v for v in frame.iloc[row].tolist() if isinstance(v, str)}
            assert got == expected or (len(expected) > 3 and got < expected)


@settings(max_examples=30)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(["a@m.com", "B@m.com", "c@m.com", None]),
                           st.sampled_from(["b@m.com", "d@m.com", None])),
                 min_size=1, max_size=6),
        min_size=1, max_size=4,
    ),
    st.integers(1, 3),
)  # fmt: skip
def test_most_frequent_values_first_ties_by_first_seen(people, k) -> None:
    owners = [i for i, recs in enumerate(people) for _ in recs]
    first = [a for recs in people for a, _ in recs]
    second = [b for recs in people for _, b in recs]
    ids = list(range(len(owners)))
    persons = _crm_persons(ids, owners, e1=first, e2=second)
    out = meta_customer_file(persons, email=["e1", "e2"], extern_id=False, max_columns=k)
    # reference: values seen column by column, record by record; count, then first sight
    seen: dict[int, list[str]] = {}
    for column in (first, second):
        for owner, value in zip(owners, column, strict=True):
            if value is not None:
                seen.setdefault(owner, []).append(value.lower())
    assert out.person_ids.tolist() == sorted(seen)
    for row, pid in enumerate(out.person_ids.tolist()):
        values = seen[pid]
        ranked = sorted(set(values), key=lambda v: (-values.count(v), values.index(v)))[:k]
        expected = [hashlib.sha256(v.encode()).hexdigest() for v in ranked]
        got = out.frame.iloc[row].tolist()
        assert got[: len(expected)] == expected
        assert all(pd.isna(v) for v in got[len(expected) :])


def test_several_values_per_person_most_frequent_first() -> None:
    ids = ["a", "b", "c", "d", "e"]
    emails = ["x@m.com", "y@m.com", "y@m.com", "z@m.com", "w@m.com"]
    persons = _crm_persons(ids, [1] * len(ids), email=emails)
    out = meta_customer_file(persons, email="email", extern_id=False, max_columns=2)
    assert list(out.frame.columns) == ["EMAIL", "EMAIL"]
    sha = [hashlib.sha256(e.encode()).hexdigest() for e in ("y@m.com", "x@m.com")]
    assert out.frame.iloc[0].tolist() == sha  # most frequent first, ties by first seen


def test_demo_exports_consent_and_members(demo, demo_persons, tmp_path) -> None:
    _, sources = demo
    consent = Consent(opt_out={"crm": "email_opt_out"})
    out = meta_customer_file(
        demo_persons, email=["email", "alt_email"], phone=["phone", "home_phone"],
        first_name="first_name", last_name="last_name", zip="postcode", city="city",
        birth_date="birth_date", madid="device_id", default_country="us", consent=consent,
    )  # fmt: skip
    assert out.left_out_consent > 0
    assert len(out.frame) + out.left_out_consent + out.left_out_no_identifier == (
        demo_persons.n_persons
    )
    assert len(out.frame) == len(np.unique(out.person_ids))
    raw = set()
    for frame in sources.values():
        for column in ("email", "alt_email", "phone", "first_name", "last_name"):
            if column in frame.columns:
                raw |= set(frame[column].dropna().astype(str))
    cells = set(out.frame.drop(columns=["MADID", "EXTERN_ID"]).to_numpy().ravel().tolist())
    assert not cells & raw
    assert "EMAIL" in repr(out)
    assert "@" not in repr(out)
    google = google_customer_match(
        demo_persons, email=["email", "alt_email"], phone="phone", members=out.person_ids[:10]
    )
    assert len(google.frame) <= 10
    assert set(google.person_ids) <= set(out.person_ids[:10])
    chosen = out.person_ids[[7, 2, 9, 0]]  # members in any order, unknown ids ignored
    shuffled = google_customer_match(
        demo_persons, email=["email", "alt_email"], members=np.r_[chosen, -5]
    )
    in_order = google_customer_match(
        demo_persons, email=["email", "alt_email"], members=np.sort(chosen)
    )
    assert len(shuffled.frame) > 0
    assert set(shuffled.person_ids.tolist()) <= set(chosen.tolist())
    assert shuffled.person_ids.tolist() == in_order.person_ids.tolist()
    pd.testing.assert_frame_equal(shuffled.frame, in_order.frame)
    path = tmp_path / "meta.csv"
    out.to_csv(path)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["EMAIL", "EMAIL", "EMAIL"]


def test_export_errors() -> None:
    _, persons = _one_person()
    with pytest.raises(ig.MissingColumnError):
        meta_customer_file(persons, email="nope")
    with pytest.raises(ig.ConfigError):
        meta_customer_file(persons, email="email", max_columns=0)
    with pytest.raises(ig.ConfigError):
        google_customer_match(persons, email="email", default_country="USA")


# -- Meta's rules as its documentation states them: city, state, birth year ----------------
SHA_RULES = {
    "saopaulo": "8f7f2f7ccd3f2898cf4850905346e8fb333d00aac1c974f8f37326e068cf7b1e",
    "iledefrance": "e7a0efad69ad8cd77fcd8218439ad69182b24d819222f038eb166fa4139ef159",
    "georgia": "1c18bc2214f67ae19bbaa640fc776f5a4a38c4021d421cdd8cd3d2bcad23da93",
    "ga": "f52d63231eb0dbaac689ec9147e4b131fc95ef92d5bc78135b22934b36d76bf4",
    "1970": "ad1f3889d0032e7c2791053060e4c044837353325fbd42cdeeef65638ed31c2a",
}


def test_meta_city_state_and_birth_year_rules() -> None:
    ids = ["a", "b", "c", "d"]
    persons = _crm_persons(
        ids, [1, 2, 3, 4], email=[f"{i}@x.com" for i in ids],
        city=["São Paulo", "Paris", "Tbilisi", "Atlanta"],
        state=["SP", "Île-de-France", "Georgia", "Georgia"], country=["BR", "FR", "GE", "US"],
        born=["1970-10-07", "1899-12-31", "2999-01-01", "not a date"],
    )  # fmt: skip
    out = meta_customer_file(
        persons, email="email", city="city", state="state", country="country", birth_date="born"
    )
    frame = out.frame
    assert frame["CT"].iloc[0] == SHA_RULES["saopaulo"]  # a-z only: accents dropped
    # a state name becomes its code for US persons only
    assert frame["ST"].tolist()[1:] == [SHA_RULES[k] for k in ("iledefrance", "georgia", "ga")]
    assert frame["DOBY"].iloc[0] == SHA_RULES["1970"]
    assert frame[["DOBY", "DOBM", "DOBD"]].iloc[1:].isna().all().all()  # not 1900..today


# -- property: both files equal an independent, value-by-value normalization ---------------
def _ref_email(raw: str, *, gmail: bool) -> str | None:
    text = raw.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return None
    local, domain = text.split("@")
    if gmail and domain in ("gmail.com", "googlemail.com"):
        local = local.split("+")[0].replace(".", "")
        if not local:
            return None
    return f"{local}@{domain}"


def _ref_phone(raw: str) -> str | None:
    number = phonenumbers.parse(raw, "US")
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ref_name(raw: str) -> str | None:
    out = "".join(ch for ch in raw.lower() if unicodedata.category(ch)[0] in "LM")
    return out or None


def _ref_city(raw: str) -> str | None:
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(ch)
    )
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z") or None


def _ref_zip(raw: str, country: str, *, meta: bool) -> str | None:
    text = re.sub(r"\s+", "", raw.lower())
    if country == "us":
        found = re.fullmatch(r"(\d{5})-?(\d{4})?", text)
        return found.group(1) if found else None
    if country == "gb" and meta:
        found = re.fullmatch(r"([a-z]{1,2}[0-9][a-z0-9]?[0-9])[a-z]{2}", text)
        text = found.group(1) if found else text
        return text if re.fullmatch(r"[a-z]{1,2}[0-9][a-z0-9]?[0-9]?", text) else None
    return text or None


def _most_frequent(values: list[str | None]) -> str | None:
    seen = [v for v in values if v is not None]
    return max(dict.fromkeys(seen), key=seen.count) if seen else None  # ties: first seen


def _sha(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


_NAMES = st.text(alphabet="abcXYZ éüñ-'.1", min_size=1, max_size=8)
_PHONES = st.builds(
    "({}) {}-{:04d}".format,
    st.sampled_from([201, 212, 415, 617]),
    st.sampled_from([234, 456, 789]),
    st.integers(0, 9999),
)
_ZIPS = st.sampled_from(["02139", "02139-4307", " 9410 5", "SW1A 1AA", "m1 1ae", "75008", "x"])
_RECORD = st.fixed_dictionaries(
    {
        "email": st.one_of(_EMAILS, st.none()),
        "phone": st.one_of(_PHONES, st.none()),
        "fn": st.one_of(_NAMES, st.none()),
        "city": st.sampled_from(["São Paulo", "New York", "Zürich", None]),
        "zip": st.one_of(_ZIPS, st.none()),
    }
)


@settings(max_examples=25)
@given(
    st.lists(st.lists(_RECORD, min_size=1, max_size=3), min_size=1, max_size=5),
    st.lists(st.sampled_from(["us", "gb", "fr"]), min_size=5, max_size=5),
)
def test_files_equal_an_independent_normalization(people, countries) -> None:
    owners = [i for i, recs in enumerate(people) for _ in recs]
    rows = [rec for recs in people for rec in recs]
    ids = [f"r{i}" for i in range(len(rows))]
    records = pd.DataFrame(rows, columns=["email", "phone", "fn", "city", "zip"]).assign(
        source="crm", record_id=ids, country=[countries[o] for o in owners]
    )
    persons = Persons.from_clusters(
        pd.DataFrame({"source": "crm", "record_id": ids, "person_id": owners}), records=records
    )
    fields = {"email": "email", "phone": "phone", "first_name": "fn", "zip": "zip",
              "country": "country", "max_columns": 1}  # fmt: skip
    shared = Exporter(persons)
    files = {
        "meta": shared.meta_customer_file(**fields, city="city", extern_id=False),
        "google": shared.google_customer_match(**fields),
    }
    alone = {
        "meta": meta_customer_file(persons, **fields, city="city", extern_id=False),
        "google": google_customer_match(persons, **fields),
    }
    for platform, export in files.items():
        pd.testing.assert_frame_equal(export.frame, alone[platform].frame)  # shared work
        meta = platform == "meta"
        headers = (
            ("EMAIL", "PHONE", "FN", "ZIP", "CT", "COUNTRY")
            if meta
            else ("Email", "Phone", "First Name", "Country", "Zip")
        )
        for row, pid in enumerate(export.person_ids.tolist()):
            recs, country = people[pid], countries[pid]
            phone = _most_frequent([None if r["phone"] is None else _ref_phone(r["phone"])
                                    for r in recs])  # fmt: skip
            expected = {
                "email": _most_frequent([None if r["email"] is None else
                                         _ref_email(r["email"], gmail=not meta) for r in recs]),
                "phone": None if phone is None else (phone[1:] if meta else phone),
                "name": _most_frequent([None if r["fn"] is None else _ref_name(r["fn"])
                                        for r in recs]),
                "zip": _most_frequent([None if r["zip"] is None else
                                       _ref_zip(r["zip"], country, meta=meta) for r in recs]),
                "city": _most_frequent([None if r["city"] is None else _ref_city(r["city"])
                                        for r in recs]),
            }  # fmt: skip
            got = export.frame.iloc[row]
            got = {h: (None if pd.isna(got[h]) else got[h]) for h in headers}
            if meta:
                assert got == {
                    "EMAIL": _sha(expected["email"]), "PHONE": _sha(expected["phone"]),
                    "FN": _sha(expected["name"]), "ZIP": _sha(expected["zip"]),
                    "CT": _sha(expected["city"]), "COUNTRY": _sha(country),
                }  # fmt: skip
            else:
                assert got == {
                    "Email": _sha(expected["email"]), "Phone": _sha(expected["phone"]),
                    "First Name": _sha(expected["name"]), "Country": country,
                    "Zip": expected["zip"],
                }  # fmt: skip
        assert len(export.frame) + export.left_out_no_identifier == len(people)
