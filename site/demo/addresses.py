"""The demo's address list: about 400 made-up Fernbridge properties for the address question.

Everything is fictional: the FE postcode area, the streets and the UPRNs (from 100090000001).
The list is generated from a fixed seed, so every run makes the same properties; loading adds
only UPRNs that are missing and never changes one that exists.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from django.db import transaction

SEED = 20261101
FIRST_UPRN = 100090000001
# The letters of a postcode's last part (real postcodes never use C, I, K, M, O or V there).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Street:
    """A made-up street: its postcode district, ward and what kind of homes it has."""

    name: str
    district: str  # the first part of the postcode, such as "FE4"
    ward: str
    locality: str = ""  # the part of Fernbridge, shown as the address's second line
    postcodes: tuple[str, ...] = ()  # fixed postcodes; the rest are drawn from the seed
    size: int = 1  # how many postcodes the street has
    flats: bool = False  # whether some houses are split into flats
    buildings: tuple[str, ...] = ()  # named buildings, in the street's first postcode
    taken: tuple[int, ...] = ()  # house numbers the buildings use


# Bin rounds follow streets: every property in a street has the same day and week.
STREETS: tuple[Street, ...] = (
    Street(
        "Market Street",
        "FE1",
        "Castle",
        postcodes=("FE1 1AA", "FE1 1AB"),
        size=2,
        flats=True,
        buildings=("Civic Centre, Market Street", "Central Library, Market Street"),
    ),
    Street(
        "Abbey Road",
        "FE1",
        "Abbey",
        postcodes=("FE1 2RB", "FE1 2RD"),
        size=2,
        flats=True,
        buildings=("Fernbridge Register Office, 14 Abbey Road",),
        taken=(14,),
    ),
    Street("Chapel Street", "FE1", "Castle", flats=True),
    Street("Tanners Row", "FE1", "Castle", flats=True),
    Street("Castle Hill", "FE1", "Castle"),
    Street("Priory Close", "FE2", "Abbey", "Abbeyfields"),
    Street("Cloister Walk", "FE2", "Abbey", "Abbeyfields"),
    Street("Monks Way", "FE2", "Abbey", "Abbeyfields"),
    Street("Ferry Lane", "FE3", "Riverside", "Riverside", postcodes=("FE3 1FL",)),
    Street("Wharf Road", "FE3", "Riverside", "Riverside", flats=True),
    Street("Kingfisher Drive", "FE3", "Riverside", "Riverside"),
    Street("Boatmans Walk", "FE3", "Riverside", "Riverside", flats=True),
    Street("Marsh Road", "FE4", "Marsh", "Fernbridge Marsh", ("FE4 2BX", "FE4 2BY"), size=2),
    Street("Reedbed Way", "FE4", "Marsh", "Fernbridge Marsh"),
    Street("Heron Close", "FE4", "Marsh", "Fernbridge Marsh"),
    Street("Saltings Avenue", "FE4", "Marsh", "Fernbridge Marsh"),
    Street("Colley Lane", "FE5", "Colley", "Colley", postcodes=("FE5 3DL",), size=2),
    Street("Brickworks Road", "FE5", "Colley", "Colley"),
    Street("Kiln Close", "FE5", "Colley", "Colley"),
    Street("Foundry Street", "FE5", "Colley", "Colley", flats=True),
    Street("Northgate", "FE6", "Northgate", "Northgate", postcodes=("FE6 1NG",), flats=True),
    Street("Barley Mow Lane", "FE6", "Northgate", "Northgate"),
    Street("Windmill Rise", "FE6", "Northgate", "Northgate"),
    Street("Stoneygate Road", "FE6", "Northgate", "Northgate"),
    Street("Orchard Way", "FE6", "Northgate", "Northgate"),
    Street("Hollins Lane", "FE7", "Hollins Park", "Hollins Park", postcodes=("FE7 4HP",)),
    Street("Parkside Avenue", "FE7", "Hollins Park", "Hollins Park"),
    Street("Bandstand Close", "FE7", "Hollins Park", "Hollins Park"),
    Street("Beech Grove", "FE7", "Hollins Park", "Hollins Park"),
    Street("Larkhill Road", "FE8", "St Mary's and Westfield", "St Mary's", postcodes=("FE8 2LR",)),
    Street("Church Walk", "FE8", "St Mary's and Westfield", "St Mary's", flats=True),
    Street("Vicarage Gardens", "FE8", "St Mary's and Westfield", "St Mary's"),
    Street(
        "Fernside Avenue", "FE9", "St Mary's and Westfield", "Westfield", postcodes=("FE9 5FA",)
    ),
    Street("Blackthorn Close", "FE9", "St Mary's and Westfield", "Westfield"),
    Street("Willow Grove", "FE9", "St Mary's and Westfield", "Westfield"),
    Street("Sandpit Lane", "FE9", "St Mary's and Westfield", "Westfield"),
)
WARDS = sorted({street.ward for street in STREETS})


@dataclass(frozen=True)
class DemoAddress:
    """One demo property, as the fields of `forms.places.models.Property`."""

    uprn: int
    address_line_1: str
    address_line_2: str
    postcode: str
    ward: str
    bin_day: int
    bin_week: str


def demo_addresses() -> list[DemoAddress]:
    """The whole demo address list, the same on every call."""
    rng = random.Random(SEED)
    used_postcodes = {code for street in STREETS for code in street.postcodes}
    addresses: list[DemoAddress] = []

    def add(line_1: str, street: Street, postcode: str, day: int, week: str) -> None:
        addresses.append(
            DemoAddress(
                uprn=FIRST_UPRN + len(addresses),
                address_line_1=line_1,
                address_line_2=street.locality,
                postcode=postcode,
                ward=street.ward,
                bin_day=day,
                bin_week=week,
            )
        )

    for street in STREETS:
        day, week = rng.randrange(5), rng.choice("AB")
        postcodes = list(street.postcodes)
        while len(postcodes) < street.size:
            letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
            code = f"{street.district} {rng.randrange(1, 10)}{letters}"
            if code not in used_postcodes:
                used_postcodes.add(code)
                postcodes.append(code)
        number = 0
        for index, postcode in enumerate(postcodes):
            target = rng.randint(8, 12)
            lines = list(street.buildings) if index == 0 else []
            while len(lines) < target:
                number += rng.choice((1, 1, 2))
                if number in street.taken:
                    continue
                house = f"{number} {street.name}"
                room = target - len(lines)
                if street.flats and room >= 2 and rng.random() < 0.25:
                    flats = rng.randint(2, min(4, room))
                    lines += [f"Flat {flat}, {house}" for flat in range(1, flats + 1)]
                else:
                    lines.append(house)
            for line in lines:
                add(line, street, postcode, day, week)
    return addresses


@transaction.atomic
def load_addresses() -> int:
    """Add the demo properties that are missing; returns how many were added."""
    from forms.places.models import Property

    wanted = demo_addresses()
    existing = set(
        Property.objects.filter(uprn__in=[a.uprn for a in wanted]).values_list("uprn", flat=True)
    )
    missing = [
        Property(town="Fernbridge", **asdict(address))
        for address in wanted
        if address.uprn not in existing
    ]
    Property.objects.bulk_create(missing)
    return len(missing)
