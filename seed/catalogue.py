"""The default product catalogue, priced as in the Bredband2 manual (CATALOGUE.md)."""

from __future__ import annotations

from tables.catalogue import OptionGroup, OptionGroupItem, Product, ProductCategory

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
