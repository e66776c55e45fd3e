"""Fixed catalogue for the demo site: cast, works, episode titles and prose banks.

Everything here is fictional except the two works the brief names on purpose
(the anime 'Twilight Out Of Focus' and the game 'Sunderfolk'). Used only by
generate.py; stdlib only.
"""

# ruff: noqa: E501  (long lines are prose)
from __future__ import annotations

SITE_NAME = "Second Screen"
HOST = "https://secondscreen.example"
TAGLINE = "Reviews, recaps and features for people who watch, play and read with a second screen open"

# Section name -> category slug. The order is the menu order.
SECTIONS = {
    "Video Games": "video-games",
    "Film": "film",
    "TV": "tv",
    "Anime": "anime",
    "Comics": "comics",
}

# name, slug, sections they mostly write for, bio
AUTHORS = [
    ("Maya Okafor", "maya-okafor", ("Film", "TV"),
     "Maya Okafor is Second Screen's film editor. She has covered festivals from Austin to Toronto "
     "and is a member of the Chicago Film Critics Association. She will defend a two-hour "
     "runtime to anyone who asks."),
    ("Daniel Reyes", "daniel-reyes", ("Film", "Comics"),
     "Daniel Reyes writes about film and comics from Houston. He reads every back-matter essay, "
     "keeps a spreadsheet of every movie he has ever seen, and still thinks the director's cut "
     "is usually worse."),
    ("Priya Raman", "priya-raman", ("Anime", "TV"),
     "Priya Raman covers anime and animation. She has been writing weekly episode reviews since "
     "simulcasts were a novelty and can name every studio behind every opening she hums."),
    ("Tom Whitlock", "tom-whitlock", ("Video Games",),
     "Tom Whitlock is the games editor at Second Screen. He plays everything, finishes most of it, "
     "and has strong opinions about inventory management and photo modes."),
    ("Keiko Ashford", "keiko-ashford", ("Anime", "Comics"),
     "Keiko Ashford is an anime and manga critic based in Minneapolis. When she is not watching "
     "three simulcasts a night she is translating liner notes nobody asked her to translate."),
    ("Sam Delgado", "sam-delgado", ("TV", "Video Games"),
     "Sam Delgado recaps network television and reviews games. He believes every procedural "
     "deserves a fair shake and every co-op game deserves a patient friend."),
    ("Rosa Lindqvist", "rosa-lindqvist", ("TV", "Film"),
     "Rosa Lindqvist is Second Screen's TV editor. She watches screeners at double speed only "
     "when she has to and writes about prestige drama, comedy and everything in between."),
    ("Marcus Bell", "marcus-bell", ("Comics", "Video Games"),
     "Marcus Bell reviews comics every Wednesday and games on the weekends. He has a long box "
     "for every decade since the eighties and a backlog he refuses to discuss."),
]

FIRST_NAMES = [
    "Ava", "Bennett", "Carmen", "Dev", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonah",
    "Kira", "Leon", "Mara", "Nico", "Opal", "Paolo", "Quinn", "Rhea", "Silas", "Tessa",
    "Umar", "Vera", "Wes", "Ximena", "Yara", "Zane", "Lucia", "Owen", "Hana", "Theo",
]
LAST_NAMES = [
    "Abernathy", "Brandt", "Castellanos", "Dunmore", "Eriksen", "Fairweather", "Galloway",
    "Hollis", "Ibarra", "Jansen", "Kowalczyk", "Lavigne", "Moreau", "Nakashima", "Oyelaran",
    "Pryce", "Quintero", "Rasmussen", "Sutherland", "Thorne", "Underwood", "Valdez", "Whitfield",
    "Yamamoto", "Zielinski", "Ashby", "Becker", "Calloway", "Delacroix", "Everly",
]

# ---------------------------------------------------------------- weekly episodic shows
# key: name, section, kind, network, studio, leads, season, first episode number, titles
ANIME_WEEKLY = {
    "twilight": dict(
        name="Twilight Out Of Focus", network="Crunchyroll", studio="the animation team",
        leads=("Mao", "Hisashi"), season=None, first_ep=9,
        ep_titles=["Cut To Black", "Golden Hour", "Second Take", "A Red Thread"],
        tags=["Boys Love", "Crunchyroll"],
    ),
    "lantern": dict(
        name="Lantern Row Detectives", network="Crunchyroll", studio="Studio Hokuto",
        leads=("Sayo", "Jun"), season=None, first_ep=4,
        ep_titles=["The Ledger In The Well", "Paper Cranes At Dusk", "Whoever Lights The Lamp",
                   "A Confession In Ink"],
        tags=["Crunchyroll", "Mystery"],
    ),
    "hollowmoon": dict(
        name="Hollow Moon Blade", network="HIDIVE", studio="Kaguraba Pictures",
        leads=("Ren", "Akane"), season=2, first_ep=3,
        ep_titles=["Ash On The River", "The Oath Breaker", "Nine Lanterns", "Where The Moon Sleeps"],
        tags=["HIDIVE", "Action"],
    ),
    "komari": dict(
        name="Komari’s Midnight Kitchen", network="Netflix", studio="Studio Tsubame",
        leads=("Komari", "Haru"), season=None, first_ep=5,
        ep_titles=["Miso For Two", "The Rainy Day Bento", "Grandmother’s Knife",
                   "A Very Late Breakfast"],
        tags=["Netflix", "Slice Of Life"],
    ),
}

TV_WEEKLY = {
    "station51": dict(
        name="Station 51", network="Fox", leads=("Captain Ruiz", "Dana"), season=4, first_ep=14,
        ep_titles=["Pressure Point", "Mutual Aid", "The Long Shift", "Last Call"],
        tags=["Fox", "Procedural"], kind="recap",
    ),
    "harbor": dict(
        name="The Harbor House", network="NBC", leads=("Nora", "Eli"), season=2, first_ep=5,
        ep_titles=["Low Water", "Inheritance", "The Regatta", "Fog Warning"],
        tags=["NBC", "Family Drama"], kind="recap",
    ),
    "nightdesk": dict(
        name="Night Desk", network="FX on Hulu", leads=("Vivian", "Teddy"), season=1, first_ep=3,
        ep_titles=["Stop The Presses", "Off The Record", "Corrections", "Deadline"],
        tags=["FX", "Hulu"], kind="review",
    ),
}

# ---------------------------------------------------------------- one-off works
# film: name, genre, where
FILMS = [
    ("Paper Lanterns", "dramas", "in theaters"),
    ("Borrowed Light", "romantic dramas", "in theaters"),
    ("Killing Season In Tulsa", "crime thrillers", "on Netflix"),
    ("Low Tide", "horror", "in theaters"),
    ("The Understudy", "backstage comedies", "on Prime Video"),
    ("Midnight At The Majestic", "horror comedies", "in theaters"),
    ("Salt Road", "westerns", "in theaters"),
    ("Saint Agnes Street", "family dramas", "in theaters"),
    ("Wolf Hours", "survival thrillers", "on Hulu"),
    ("The Ferryman’s Daughter", "period dramas", "in theaters"),
    ("Static Bloom", "science fiction", "on Max"),
    ("Howl Of The Marsh", "creature features", "on Shudder"),
    ("Cold Open", "comedies", "on Peacock"),
    ("Kingfisher", "coming-of-age dramas", "in theaters"),
    ("All The Loud Rooms", "musicals", "in theaters"),
    ("Night Swimmers", "coming-of-age dramas", "in theaters"),
    ("Second Unit", "action comedies", "on Netflix"),
    ("The Ninth Floor", "psychological thrillers", "in theaters"),
    ("Tall Grass Country", "road movies", "on Apple TV+"),
    ("Hollow Crown Heist", "heist capers", "on Prime Video"),
    ("Brightwater", "dramas", "in theaters"),
    ("Ghost Light", "supernatural dramas", "in theaters"),
    ("Parallel Park", "romantic comedies", "on Netflix"),
    ("The Crossing Guard", "indie dramas", "in theaters"),
    ("Twin Lights", "dramas", "in theaters"),
    ("Red Canyon Rally", "sports comedies", "in theaters"),
    ("Under The Orchard Moon", "fantasy adventures", "in theaters"),
    ("Last Bus To Galveston", "neo-noir", "on Max"),
    ("The Quiet Engineers", "documentaries", "on Netflix"),
    ("Ironweed Summer", "period romances", "in theaters"),
    ("Mirror Maze", "slashers", "on Shudder"),
]

# game: name, genre, developer, platforms, reviewed on
GAMES = [
    ("Ember Vale", "open-world action RPGs", "Hearthfall Studios", ["PC", "PS5", "Xbox Series X/S"], "PS5"),
    ("Neon Drift Tokyo", "arcade racers", "Kessler Nine", ["PC", "PS5", "Nintendo Switch"], "PC"),
    ("Saltmarsh Saga", "farming sims", "Little Ferns", ["PC", "Nintendo Switch"], "Nintendo Switch"),
    ("Iron Choir", "tactics RPGs", "Bellweather Games", ["PC", "PS5"], "PC"),
    ("Pocket Observatory", "cozy puzzle games", "Stargazy", ["PC", "Nintendo Switch"], "Nintendo Switch"),
    ("Rook & Rye", "narrative adventures", "Two Crows Interactive", ["PC"], "PC"),
    ("Clockwork Cantata", "rhythm platformers", "Metronome Works", ["PC", "PS5", "Nintendo Switch"], "PS5"),
    ("Gloamwood", "survival horror", "Underhill", ["PC", "PS5", "Xbox Series X/S"], "Xbox Series X/S"),
    ("Tidebreaker", "soulslikes", "Saltwind", ["PC", "PS5", "Xbox Series X/S"], "PS5"),
    ("Moss Kingdom Tactics", "turn-based strategy games", "Lichen Labs", ["PC"], "PC"),
    ("Deadline: Metro", "immersive sims", "Overtime Collective", ["PC", "PS5"], "PC"),
    ("Farwater", "exploration games", "Stillwater Games", ["PC", "Xbox Series X/S"], "Xbox Series X/S"),
    ("Skyline Couriers", "co-op delivery games", "Happy Hazard", ["PC", "PS5", "Nintendo Switch"], "PS5"),
    ("Hex Harvest", "roguelike deckbuilders", "Fourth Wall Cards", ["PC", "Nintendo Switch"], "PC"),
    ("Velvet Static", "visual novels", "Moth Hour", ["PC", "Nintendo Switch"], "PC"),
    ("Orbital Janitor", "physics sandboxs", "Zero-G Mop Co.", ["PC"], "PC"),
    ("Lumen Hollow", "metroidvanias", "Candlewick", ["PC", "PS5", "Nintendo Switch"], "PS5"),
    ("Bramble Knights", "co-op brawlers", "Thornback", ["PC", "PS5", "Xbox Series X/S"], "Xbox Series X/S"),
    ("Shatterpoint Arena", "hero shooters", "Apex Forge", ["PC", "PS5", "Xbox Series X/S"], "PC"),
    ("Quiet Quarry", "mining sims", "Pebble & Pick", ["PC"], "PC"),
    ("Paper Tigers", "fighting games", "Origami Fist", ["PC", "PS5"], "PS5"),
    ("The Last Lighthouse", "puzzle adventures", "Keeper Games", ["PC", "Nintendo Switch"], "Nintendo Switch"),
    ("Dustborne Legion", "squad shooters", "Red Mesa", ["PC", "PS5", "Xbox Series X/S"], "PC"),
    ("Starboard", "naval strategy games", "Tack & Jibe", ["PC"], "PC"),
    ("Glasswing", "action platformers", "Prism Bay", ["PC", "PS5", "Nintendo Switch"], "Nintendo Switch"),
    ("Rivet City Racers", "kart racers", "Bolt Brothers", ["PS5", "Nintendo Switch"], "Nintendo Switch"),
    ("Hollowmere", "dungeon crawlers", "Lantern Jaw", ["PC", "PS5"], "PC"),
    ("Sunset Motel 6B", "point-and-click mysterys", "Vacancy", ["PC", "Nintendo Switch"], "PC"),
    ("Wyrmroost", "monster-taming RPGs", "Eggshell", ["Nintendo Switch"], "Nintendo Switch"),
    ("Overclocked", "cyberpunk action games", "Hardline", ["PC", "PS5", "Xbox Series X/S"], "PS5"),
    ("Tin Soldiers", "real-time strategy games", "Brass Tacks", ["PC"], "PC"),
]

# TV season: name, season, network
TV_SEASONS = [
    ("The Long Quiet", 1, "Apple TV+"),
    ("Marrow Bay", 2, "Netflix"),
    ("Good Neighbors", 3, "Hulu"),
    ("The Commission", 1, "Max"),
    ("Hotel Aurora", 1, "Prime Video"),
    ("Dead Reckoning", 2, "Peacock"),
    ("Kinfolk", 1, "Netflix"),
    ("Small Hours", 1, "FX"),
    ("The Quartermaster", 1, "Apple TV+"),
    ("Blue Line Diner", 4, "Hulu"),
    ("Cinder", 1, "Netflix"),
    ("Parish Road", 2, "Max"),
    ("The Understory", 1, "AMC+"),
    ("Fast Friends", 1, "Peacock"),
    ("Westbound", 1, "Prime Video"),
    ("Switchback", 2, "Netflix"),
    ("Open Water", 1, "Apple TV+"),
]

# comics: series, first issue reviewed, publisher
COMICS = [
    ("Ironbound", 4, "Image Comics"),
    ("The Sable Court", 2, "BOOM! Studios"),
    ("Deep Orbit", 7, "Dark Horse Comics"),
    ("Moth & Marrow", 1, "Vault Comics"),
    ("Red Ledger", 11, "Image Comics"),
    ("Saint Nobody", 3, "IDW Publishing"),
    ("The Wyrd Sisters Of Salem", 5, "Oni-Lion Forge"),
    ("Lightkeeper", 1, "Dark Horse Comics"),
    ("Gutter Saints", 9, "Image Comics"),
    ("Afterburn", 2, "BOOM! Studios"),
    ("Copper & Bone", 6, "Vault Comics"),
    ("The Hollow Kings", 14, "Image Comics"),
    ("Starling Squadron", 3, "IDW Publishing"),
    ("Nightjar", 8, "Dark Horse Comics"),
    ("Crown Of Teeth", 1, "BOOM! Studios"),
    ("Paper Ghosts", 4, "Oni-Lion Forge"),
    ("Velocity Girl", 12, "Image Comics"),
    ("The Drowned Library", 2, "Vault Comics"),
    ("Rust Belt Ronin", 5, "Indie Comics"),
    ("Margin Of Error", 1, "IDW Publishing"),
    ("Black Lantern Motel", 3, "Dark Horse Comics"),
    ("Skyward Kids", 10, "BOOM! Studios"),
    ("Tomb Of The Ninth Star", 6, "Image Comics"),
    ("The Last Postman", 2, "Oni-Lion Forge"),
    ("Hexbound", 7, "Vault Comics"),
    ("Riot Grrrl Rangers", 1, "Indie Comics"),
]

# anime one-offs: name, label suffix (episodes covered), network, studio
ANIME_OTHER = [
    ("Kaiju Office Hours", "Episodes 1-3", "Crunchyroll", "Studio Gekko"),
    ("Moonlit Courier", "Season 1", "Netflix", "Aozora Animation"),
    ("Gears Of The Tidal City", "", "Crunchyroll", "Studio Maru"),
    ("Spirit Circus", "Episodes 1-4", "HIDIVE", "Hanabi Works"),
    ("Ninth Life Nine", "Season 2", "Crunchyroll", "Studio Kuroneko"),
]

# ---------------------------------------------------------------- premises
PREMISE = {
    "Film": [
        "a night-shift projectionist who starts seeing her own life in the reels",
        "two estranged brothers driving their father's ashes across three states",
        "a small-town sheriff who inherits a case nobody wanted solved",
        "a marine biologist stranded on a tidal island with a secret",
        "an understudy who gets her big break the night the star vanishes",
        "a widowed baker rebuilding her family's shop one order at a time",
        "a rookie stunt coordinator trying to finish a cursed production",
        "a heist crew that has to rob the same vault twice",
        "a teenage swimmer training for the race that broke her mother",
        "a retired cartographer mapping a town that keeps changing",
        "a wedding band stuck playing one last gig during a hurricane",
        "a hospice nurse and the patient who refuses to stop telling stories",
        "a documentary crew following the engineers who keep a city's lights on",
        "a ferry operator's daughter who falls for the one passenger she shouldn't",
    ],
    "Video Games": [
        "a wandering smith rebuilding a valley burned by a dragon",
        "couriers racing across a vertical city to deliver impossible packages",
        "a lighthouse keeper solving the puzzles her grandfather left behind",
        "a squad of mercenaries holding a desert outpost against endless waves",
        "a small farming village that only grows things at night",
        "a janitor cleaning up after a space station's worst day",
        "knights who have to share a single sword between four players",
        "a detective working one case across a single very long night",
        "a lost sprite collecting light in a cave that remembers everything",
        "a deck of cards that rewrites itself every time you lose",
        "a rival racing league where the tracks are built by the players",
        "a mining crew that digs deeper every run for something that digs back",
    ],
    "TV": [
        "a family of fishermen holding onto the last boat in their harbor",
        "a disgraced journalist running the overnight desk at a failing paper",
        "three neighbors who accidentally witness the same crime",
        "a hotel concierge who knows every guest's secret",
        "a quartermaster on a generation ship counting down the supplies",
        "a diner that becomes the center of a small town's worst week",
        "two detectives who cannot stand each other and cannot solve anything alone",
        "a commission investigating a disaster that nobody wants to admit happened",
        "a teenager who wakes up as the only person in her town who remembers yesterday",
        "a chef trying to keep a family restaurant alive during a buyout",
    ],
    "Anime": [
        "a film club trying to finish one last project before graduation",
        "a girl who runs a tiny restaurant open only after midnight",
        "two apprentice detectives solving cases in an old lantern district",
        "a swordsman hunting the demon that stole the moon's reflection",
        "office workers who have to file paperwork for giant monsters",
        "a courier who delivers letters between the living and the dead",
    ],
    "Comics": [
        "a bounty hunter chasing a saint who may not want to be found",
        "a secret court of monsters ruling a forgotten city",
        "the crew of a deep-space salvage ship that found something alive",
        "three witches who run a bookstore in Salem",
        "a ledger of debts that the whole underworld wants",
        "a lighthouse keeper who guards a door between worlds",
        "a squadron of teenage pilots fighting a war nobody explains to them",
        "a library that floods every night and forgets a book every morning",
    ],
}
