"""Generated public posts for the pulse's ingestion tests and bench: English, Hindi, Hinglish,
with emoji, about MSMEs or not, each text distinct once folded (``pulse.reader.fold``)."""

from __future__ import annotations

import random

from pulse.reader import fold

CITIES = ["Ludhiana", "Tiruppur", "Noida", "Rajkot", "Coimbatore", "Kanpur", "Surat", "Pune"]
CITIES_HI = ["लुधियाना", "तिरुपुर", "नोएडा", "राजकोट", "कानपुर", "सूरत", "पुणे"]
TEMPLATES = [
    "{n} small units in {city} say buyers have not paid for {k} months #MSME",
    "Factory owners in {city} worried as power cuts stop production for {k} hours a day",
    "MSME exporters of {city} get {k} new orders, hopeful about the season 🙂",
    "{city} ke chhote udyog ka payment {k} mahine se atka hai, koi sunwai nahi 😡",
    "{city} mein bijli kati {k} ghante, factory band padi hai #MSME",
    "{city_hi} के {n} छोटे उद्योगों का भुगतान {k} महीने से अटका है",
    "{city_hi} में MSME इकाइयों को {k} नए ऑर्डर मिले, उद्यमी खुश",
    "Cricket fans in {city} celebrate the win by {k} runs 🎉",
    "{city} weather: {k} mm of rain expected tomorrow",
    "{city_hi} में {k} डिग्री तापमान, लोग घरों में रहे",
]


def posts(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct posts (distinct once folded), in a fixed random order."""
    rng = random.Random(seed)
    found: list[str] = []
    folded: set[str] = set()
    while len(found) < count:
        text = rng.choice(TEMPLATES).format(
            n=rng.randint(2, 900),
            k=rng.randint(1, 99999),
            city=rng.choice(CITIES),
            city_hi=rng.choice(CITIES_HI),
        )
        if fold(text) not in folded:
            folded.add(fold(text))
            found.append(text)
    return found
