"""Demo mobile coverage (Mobilnätet → Täckning): places across Sweden with
positions, per network. Cities have 5G, the countryside 4G and a basic 2G;
the mountains in the north-west see little. The same every day."""

from __future__ import annotations

from models import Coverage

# Place, postcode, lat, lon, how built-up (3 city, 2 town, 1 countryside, 0 remote)
PLACES = [
    ("Kungsgatan 1, Stockholm", "11143", 59.3360, 18.0700, 3),
    ("Drottninggatan 10, Stockholm", "11151", 59.3310, 18.0620, 3),
    ("Avenyn 5, Göteborg", "41136", 57.7000, 11.9750, 3),
    ("Stortorget 2, Malmö", "21122", 55.6060, 13.0010, 3),
    ("Rådhustorget 1, Umeå", "90155", 63.8258, 20.2630, 3),
    ("Storgatan 20, Luleå", "97231", 65.5840, 22.1540, 2),
    ("Kanalgatan 7, Skellefteå", "93131", 64.7500, 20.9520, 2),
    ("Storgatan 3, Sundsvall", "85230", 62.3900, 17.3060, 2),
    ("Prästgatan 30, Östersund", "83131", 63.1770, 14.6360, 2),
    ("Drottninggatan 1, Uppsala", "75310", 59.8580, 17.6390, 3),
    ("Storgatan 5, Linköping", "58223", 58.4110, 15.6210, 3),
    ("Västerlånggatan 2, Karlstad", "65225", 59.3790, 13.5040, 2),
    ("Drottninggatan 4, Örebro", "70210", 59.2740, 15.2070, 2),
    ("Stora torget 1, Västerås", "72215", 59.6100, 16.5450, 2),
    ("Åsgatan 10, Falun", "79171", 60.6070, 15.6310, 2),
    ("Nygatan 20, Gävle", "80311", 60.6750, 17.1420, 2),
    ("Storgatan 15, Växjö", "35231", 56.8790, 14.8060, 2),
    ("Storgatan 2, Jönköping", "55320", 57.7820, 14.1620, 2),
    ("Långgatan 8, Kalmar", "39232", 56.6630, 16.3620, 2),
    ("Adelgatan 1, Visby", "62155", 57.6400, 18.2950, 1),
    ("Storgatan 8, Halmstad", "30242", 56.6740, 12.8570, 2),
    ("Hamngatan 3, Karlskrona", "37131", 56.1620, 15.5870, 2),
    ("Storgatan 1, Kiruna", "98131", 67.8560, 20.2250, 1),
    ("Storgatan 1, Gällivare", "98231", 67.1340, 20.6600, 1),
    ("Storgatan 4, Arvidsjaur", "93331", 65.5920, 19.1740, 0),
    ("Vägen 1, Jokkmokk", "96231", 66.6060, 19.8230, 0),
    ("Storgatan 1, Sveg", "84231", 62.0340, 14.3600, 0),
    ("Fjällvägen 2, Storlien", "83019", 63.3170, 12.1030, 0),
    ("Storgatan 10, Lycksele", "92131", 64.5950, 18.6760, 1),
    ("Kyrkogatan 5, Mora", "79230", 61.0050, 14.5430, 1),
    ("Storgatan 6, Hudiksvall", "82430", 61.7290, 17.1050, 1),
    ("Torget 1, Ljusdal", "82730", 61.8290, 16.0900, 0),
    ("Torget 2, Torsby", "68530", 60.1370, 13.0000, 0),
    ("Storgatan 12, Örnsköldsvik", "89133", 63.2900, 18.7150, 1),
    ("Storgatan 9, Haparanda", "95331", 65.8350, 24.1330, 1),
    ("Storgatan 7, Vilhelmina", "91231", 64.6240, 16.6550, 0),
]

# Strength (3 Mycket god … 0 Ingen) per network by how built-up the place is.
STRENGTH = {
    "2G": (1, 2, 2, 2),
    "3G": (0, 1, 2, 3),
    "4G": (1, 2, 3, 3),
    "4G+": (0, 1, 2, 3),
    "5G": (0, 0, 1, 3),
}


def seed_coverage() -> None:
    rows = []
    for place, postcode, lat, lon, built_up in PLACES:
        for network, strengths in STRENGTH.items():
            strength = strengths[built_up]
            rows.append(
                {
                    "place": place,
                    "postcode": postcode,
                    "network": network,
                    "voice": strength > 0 and network != "5G" or strength >= 2,
                    "data": strength > 0,
                    "strength": strength,
                    "latitude": lat,
                    "longitude": lon,
                }
            )
    Coverage.insert_many(rows).execute()
