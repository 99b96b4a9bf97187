"""The default product catalogue, priced as in the Bredband2 manual (CATALOGUE.md)."""

from __future__ import annotations

from database import utcnow
from tables.catalogue import OptionGroup, OptionGroupItem, Product, ProductCategory
from tables.orders import Availability, PoolNumber

KR = 100  # öre per krona

CATEGORIES = [
    # (section, name)
    ("Hårdvara", "Hårdvara (Mobil)"),
    ("Mobiltjänster", "Mobilabonnemang"),
    ("Mobiltjänster", "Mobilt bredband"),
    ("Växel", "Växel - Mobil Användare"),
    ("Växel", "Växel - Tilläggsfunktioner"),
    ("Växel", "Växel - Växelfunktioner"),
    ("Bredband", "Bredband och kapacitet"),
    ("Telefoni", "Nummer och trunkar"),
    ("Hosting", "Hosting"),
]

# code, name, kind, category, monthly kr, start kr, binding months, extra
PRODUCTS = [
    (
        "MOB-FAST",
        "Mobil Fastpris",
        "subscription",
        "Mobilabonnemang",
        139,
        0,
        0,
        {"service_kind": "mobile"},
    ),
    (
        "MBB-50",
        "Mobilt bredband 50GB",
        "subscription",
        "Mobilt bredband",
        199,
        0,
        12,
        {"service_kind": "mbb", "data_mb": 51200},
    ),
    (
        "VXL-MOB-FAST",
        "Växel Mobil - Fastpris",
        "subscription",
        "Växel - Mobil Användare",
        117,
        0,
        0,
        {"service_kind": "mobile_pbx"},
    ),
    (
        "VXL-MOB-RORL",
        "Växel Mobil - Rörlig",
        "subscription",
        "Växel - Mobil Användare",
        149,
        0,
        0,
        {"service_kind": "mobile_pbx"},
    ),
    (
        "VXL-MOLN",
        "Molnväxel Bas",
        "subscription",
        "Växel - Växelfunktioner",
        495,
        1500,
        24,
        {"service_kind": "cloud_pbx"},
    ),
    (
        "BB-100",
        "Företagsbredband 100/100",
        "subscription",
        "Bredband och kapacitet",
        599,
        2500,
        36,
        {"service_kind": "broadband"},
    ),
    (
        "BB-1000",
        "Företagsbredband 1000/1000",
        "subscription",
        "Bredband och kapacitet",
        1295,
        2500,
        36,
        {"service_kind": "broadband"},
    ),
    (
        "KAP-1G",
        "Kapacitetstjänst 1 Gbit/s",
        "subscription",
        "Bredband och kapacitet",
        4900,
        15000,
        36,
        {"service_kind": "capacity"},
    ),
    (
        "SIP-10",
        "SIP-trunk 10 samtal",
        "subscription",
        "Nummer och trunkar",
        390,
        0,
        12,
        {"service_kind": "sip_trunk"},
    ),
    (
        "NRS-FAST",
        "Egen Nummerserie Fastnät",
        "subscription",
        "Nummer och trunkar",
        0,
        0,
        0,
        {"service_kind": "number_series"},
    ),
    (
        "NRS-MOB",
        "Egen Nummerserie Mobil",
        "subscription",
        "Nummer och trunkar",
        0,
        0,
        0,
        {"service_kind": "number_series"},
    ),
    (
        "HOST-WEB",
        "Webbhotell Företag",
        "subscription",
        "Hosting",
        149,
        0,
        12,
        {"service_kind": "hosting"},
    ),
    (
        "HOST-VPS",
        "Virtuell server 4 GB",
        "subscription",
        "Hosting",
        399,
        0,
        12,
        {"service_kind": "hosting"},
    ),
    ("PL-FAST", "Fastpris", "price_plan", None, 0, 0, 0, {}),
    ("PL-INTERN", "Prisplan Internabonnemang", "price_plan", None, 0, 0, 0, {}),
    ("PL-UTLAND", "Utlandsprislista Europa", "price_plan", None, 49, 0, 0, {}),
    ("DATA-5", "Mobil Data 5GB", "data_package", None, 200, 0, 0, {"data_mb": 5120, "rank": 5}),
    ("DATA-10", "Mobil Data 10GB", "data_package", None, 250, 0, 0, {"data_mb": 10240, "rank": 10}),
    ("DATA-15", "Mobil Data 15GB", "data_package", None, 290, 0, 0, {"data_mb": 15360, "rank": 15}),
    (
        "DATA-RORL",
        "Mobil Data Rörlig - pris per MB tillkommer (2kr/MB)",
        "data_package",
        None,
        0,
        0,
        0,
        {"data_mb": 0, "rank": 1},
    ),
    ("ADD-VM", "Röstbrevlåda", "addon", None, 0, 0, 0, {}),
    ("ADD-APP", "Mobilapp", "included", None, 0, 0, 0, {}),
    ("ADD-TWIN", "Tvillingkort", "addon", None, 29, 0, 0, {}),
    ("HS-SOFT", "Softphone", "handset", None, 0, 0, 0, {}),
    ("HS-DESK", "Bordstelefon Yealink T54W", "handset", None, 59, 0, 24, {}),
    ("SIM-VOICE", "Voice SIM-kort", "sim_type", None, 0, 0, 0, {}),
    ("SIM-ESIM", "eSIM", "sim_type", None, 0, 0, 0, {}),
    ("HW-IPHONE", "Apple iPhone 15 128GB", "hardware", "Hårdvara (Mobil)", 0, 9490, 0, {}),
    ("HW-MOTO", "Motorola moto g84", "hardware", "Hårdvara (Mobil)", 0, 2990, 0, {}),
    ("FN-HUVUD", "Växel - Huvudnummer", "function", "Växel - Växelfunktioner", 99, 0, 0, {}),
    ("FN-IVR", "Växel - IVR", "function", "Växel - Tilläggsfunktioner", 149, 0, 0, {}),
    (
        "FN-ACD",
        "Växel - ACD-light grupp/Huntgroup",
        "function",
        "Växel - Tilläggsfunktioner",
        0,
        0,
        0,
        {},
    ),
    ("FN-STAT", "Växel - Statistik Grund", "function", "Växel - Tilläggsfunktioner", 49, 0, 0, {}),
    ("TOP-1", "Topup 1GB", "topup", None, 60, 0, 0, {"data_mb": 1024}),
    ("TOP-3", "Topup 3GB", "topup", None, 100, 0, 0, {"data_mb": 3072}),
    ("TOP-5", "Topup 5GB", "topup", None, 140, 0, 0, {"data_mb": 5120}),
    ("TOP-10", "Topup 10GB", "topup", None, 180, 0, 0, {"data_mb": 10240}),
    ("TOP-20", "Topup 20GB", "topup", None, 250, 0, 0, {"data_mb": 20480}),
    ("TOP-ROAM50", "Topup Roaming 50 Euro", "topup", None, 540, 0, 0, {}),
    ("TOP-SURF-A", "Topup Surfpott Utomlands A", "topup", None, 499, 0, 0, {}),
    ("TOP-SURF-B", "Topup Surfpott Utomlands B", "topup", None, 499, 0, 0, {}),
]

# What Ny beställning needs of each orderable product (issue 14):
# code → (product area, finish fields, max quantity per line, permission).
# Product areas decide whose approval chain an order goes to (ORD-4).
SIM = "end_user,sim,number"
ORDERING = {
    "MOB-FAST": ("mobile", SIM, 1, ""),
    "MBB-50": ("mobile", SIM + ",mbb", 1, ""),
    "VXL-MOB-FAST": ("mobile", SIM, 1, ""),
    "VXL-MOB-RORL": ("mobile", SIM, 1, ""),
    "VXL-MOLN": ("fixed", "end_user", 1, ""),
    "BB-100": ("data", "end_user,address", 1, ""),
    "BB-1000": ("data", "end_user,address", 1, ""),
    "KAP-1G": ("data", "end_user,address", 1, ""),
    "SIP-10": ("fixed", "end_user", 1, ""),
    "NRS-FAST": ("fixed", "", 1, ""),
    "NRS-MOB": ("mobile", "", 1, ""),
    "HOST-WEB": ("data", "end_user", 1, ""),
    "HOST-VPS": ("data", "end_user", 1, ""),
    "HW-IPHONE": ("mobile", "quantity,delivery", 50, "services.hardware"),
    "HW-MOTO": ("mobile", "quantity,delivery", 50, "services.hardware"),
    "FN-HUVUD": ("fixed", "", 1, ""),
    "FN-IVR": ("fixed", "", 1, ""),
    "FN-ACD": ("fixed", "", 1, ""),
    "FN-STAT": ("fixed", "", 1, ""),
}

MOBILE_INSTRUCTIONS = (
    "Välj prislista och datapaket. Fastpris är vanligast: samtal, SMS och MMS ingår i "
    "priset. Om du redan från början vill ha aktiverade spärrar anger du det under "
    "Tilläggstjänster. I nästa steg anger du slutanvändare, SIM-kort och mobilnummer: "
    "ett nytt nummer ur vår nummerserie eller ett befintligt nummer som porteras hit "
    "(ange då nuvarande innehavares organisationsnummer och önskat porteringsdatum)."
)
INSTRUCTIONS = {
    "MOB-FAST": MOBILE_INSTRUCTIONS,
    "VXL-MOB-FAST": MOBILE_INSTRUCTIONS + " Användaren kopplas till växeln; Mobilapp ingår alltid.",
    "VXL-MOB-RORL": MOBILE_INSTRUCTIONS + " Användaren kopplas till växeln; Mobilapp ingår alltid.",
    "MBB-50": (
        "Mobilt bredband med 50 GB data. Behöver ni en publik IP-adress kryssar du i "
        "MBB Publik IP i nästa steg; ange även ett kontaktnummer för MBB."
    ),
    "VXL-MOLN": (
        "Molnväxeln sätts upp tillsammans med er. Vi kontaktar er för att gå igenom "
        "nummerplan, öppettider och svarsgrupper innan leverans."
    ),
    "BB-100": (
        "Ange installationsadressen i nästa steg. Portalen visar vilken teknik och "
        "hastighet som finns på postnumret; vi bekräftar leveransdatum efter beställning."
    ),
    "BB-1000": (
        "Ange installationsadressen i nästa steg. Portalen visar vilken teknik och "
        "hastighet som finns på postnumret; 1000/1000 kräver fiber."
    ),
    "KAP-1G": (
        "Kapacitetstjänsten kräver en platsundersökning. Ange installationsadressen; "
        "en tekniker kontaktar er för att boka besök."
    ),
    "SIP-10": "Ange i slutanvändare vilken växel trunken ska kopplas till.",
    "NRS-FAST": "En egen nummerserie för fastnät. Vi kontaktar er om önskad serie.",
    "NRS-MOB": "En egen nummerserie för mobil. Vi kontaktar er om önskad serie.",
    "HOST-WEB": "Ange domännamnet som slutanvändare/alias.",
    "HOST-VPS": "Ange serverns namn som slutanvändare/alias.",
    "HW-IPHONE": (
        "Ange antal och leveransadress. Hårdvaran skickas till Företagsprofilens "
        "leveransadress om du inte anger en annan."
    ),
    "HW-MOTO": (
        "Ange antal och leveransadress. Hårdvaran skickas till Företagsprofilens "
        "leveransadress om du inte anger en annan."
    ),
    "FN-HUVUD": "Huvudnumret kopplas till er växel. Vi kontaktar er om nummerval.",
    "FN-IVR": "Röstmenyn (IVR) spelas in och sätts upp tillsammans med er.",
}

# Configuration steps of the mobile subscriptions (Nybeställning, Ändra tjänst).
MOBILE_OPTIONS = [
    # name, kind, optional, multiple, items (code, default)
    (
        "Prislista",
        "price_plan",
        False,
        False,
        [("PL-FAST", True), ("PL-INTERN", False), ("PL-UTLAND", False)],
    ),
    (
        "Datapaket",
        "data_package",
        False,
        False,
        [("DATA-5", True), ("DATA-10", False), ("DATA-15", False), ("DATA-RORL", False)],
    ),
    ("Tilläggstjänster", "addon", True, True, [("ADD-VM", False), ("ADD-TWIN", False)]),
    ("Handtag", "handset", True, True, [("HS-SOFT", False), ("HS-DESK", False)]),
    ("SIM-kortstyp", "sim_type", False, False, [("SIM-VOICE", True), ("SIM-ESIM", False)]),
    ("Ingår alltid", "included", False, True, [("ADD-APP", True)]),
]


def seed_catalogue() -> dict[str, Product]:
    """Create categories, products and option groups; returns products by code."""
    categories = {}
    for position, (section, name) in enumerate(CATEGORIES):
        categories[name] = ProductCategory.create(name=name, section=section, position=position)
    products = {}
    for code, name, kind, category, monthly, start, binding, extra in PRODUCTS:
        products[code] = Product.create(
            code=code,
            name=name,
            kind=kind,
            category=categories[category] if category else None,
            monthly_ore=monthly * KR,
            start_ore=start * KR,
            binding_months=binding,
            service_kind=extra.get("service_kind"),
            data_mb=extra.get("data_mb"),
            rank=extra.get("rank", 0),
            **ordering_fields(code),
        )
    for code in ("MOB-FAST", "VXL-MOB-FAST", "VXL-MOB-RORL"):
        for position, (name, kind, optional, multiple, items) in enumerate(MOBILE_OPTIONS):
            group = OptionGroup.create(
                product=products[code],
                name=name,
                kind=kind,
                optional=optional,
                multiple=multiple,
                position=position,
            )
            for item_position, (item_code, default) in enumerate(items):
                OptionGroupItem.create(
                    group=group,
                    product=products[item_code],
                    is_default=default,
                    position=item_position,
                )
    return products


def ordering_fields(code: str) -> dict:
    """Product columns Ny beställning reads (empty for option items)."""
    if code not in ORDERING:
        return {}
    area, finish, max_quantity, permission = ORDERING[code]
    return {
        "product_area": area,
        "finish_fields": finish,
        "max_quantity": max_quantity,
        "permission": permission,
        "instructions": INSTRUCTIONS.get(code, ""),
    }


# The operator's free mobile numbers (Mobilnummer in Ny beställning). 076-1
# is a series the demo's services never use (seed/builder.py draws 070/072/073).
POOL_FIRST = 761000100
POOL_SIZE = 50

# Fixed-network availability (postcode → technology, down/up Mbit/s) for the
# demo's addresses: Umeå, Skellefteå, Luleå and Stockholm.
AVAILABILITY = {
    "90155": [("Fiber", 1000, 1000), ("Koppar (VDSL)", 100, 40)],
    "90304": [("Fiber", 1000, 1000)],
    "93131": [("Koppar (VDSL)", 60, 20), ("Fast radio", 100, 20)],
    "93137": [("Fiber", 1000, 1000)],
    "97231": [("Fiber", 500, 500), ("Koppar (VDSL)", 100, 40)],
    "11143": [("Fiber", 1000, 1000)],
    "11144": [("Fiber", 1000, 1000), ("Koppar (VDSL)", 250, 100)],
    "11122": [("Fiber", 1000, 1000)],
}


def seed_ordering() -> None:
    """The number pool and the availability table the wizard offers."""
    now = utcnow()
    PoolNumber.insert_many(
        [
            {"number": f"0{POOL_FIRST + i}", "kind": "mobile", "status": "free", "changed_at": now}
            for i in range(POOL_SIZE)
        ]
    ).execute()
    Availability.insert_many(
        [
            {"postcode": postcode, "technology": tech, "down_mbit": down, "up_mbit": up}
            for postcode, rows in AVAILABILITY.items()
            for tech, down, up in rows
        ]
    ).execute()
