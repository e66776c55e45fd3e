"""Prose banks for the demo site's generated posts (used only by generate.py).

Templates use str.format fields:
  {S}    the subject in HTML, e.g. <em>Paper Lanterns</em> or <em>Hollow Moon Blade</em> Season 2 Episode 4
  {W}    the work's name in HTML (<em>...</em>)
  {MED}  medium noun: film, game, season, episode, issue
  {AUD}  viewers / players / readers
  {MAKER} the person in charge, with role ("director Ava Brandt")
  {PREM} premise, {GEN} genre, {NET} network/platform/publisher, {L1} {L2} characters,
  {C1} {C2} cast or creative team, {EPT} episode title (already quoted), {PREV} previous episode label
Bands: high (>= 8.5), good (7 - 8), mixed (5.5 - 6.5), low (<= 5).
"""

# ruff: noqa: E501  (long lines are prose)
from __future__ import annotations

TITLE_PHRASES = {
    "high": [
        "Is A Triumph", "Is An Instant Classic", "Sticks Every Landing", "Is A Quiet Masterpiece",
        "Is Worth Every Minute", "Soars", "Is The Best Thing This Spring", "Earns Its Hype",
        "Is A Stunning Achievement",
    ],
    "good": [
        "Is A Solid Return", "Finds Its Footing", "Is Messy But Memorable", "Is A Fun Ride",
        "Delivers Where It Counts", "Is Worth Your Time", "Is A Cozy Delight", "Has Real Bite",
        "Is Charming Enough", "Knows Exactly What It Is",
    ],
    "mixed": [
        "Can’t Decide What It Wants To Be", "Is Missing A Few Pieces", "Has Heart But Little Else",
        "Stumbles Out Of The Gate", "Is Fine, And That’s The Problem", "Plays It Too Safe",
    ],
    "low": [
        "Is A Misfire", "Runs Out Of Steam Early", "Never Finds Its Voice", "Is A Slog",
    ],
}

INTRO = {
    "high": [
        "{S} is the kind of {MED} that reminds you why you fell in love with {GEN} in the first place. "
        "Every choice feels deliberate, every beat lands, and by the end it is hard not to feel "
        "grateful that something this confident exists. It is generous with its characters and "
        "trusts its {AUD} completely.",
        "There is a moment early in {S} where everything clicks, and it never lets go after that. "
        "What could have been a simple exercise in {GEN} becomes something richer, funnier and far "
        "more moving than it has any right to be. It is a thrilling reminder of what {MAKER} can do.",
        "{S} arrives with a lot of expectations attached and clears every one of them. It is sharp, "
        "warm and beautifully paced, the rare {MED} that feels both comforting and surprising. "
        "I have not stopped thinking about it since.",
    ],
    "good": [
        "{S} is not perfect, but it knows exactly what it wants to be and commits to it. There are "
        "bumps along the way, a few scenes that drag and a couple that rush, yet the whole thing is "
        "held together by a clear sense of purpose and plenty of heart.",
        "It takes a little while for {S} to find its rhythm. Once it does, though, it becomes an "
        "easy recommendation for anyone who enjoys {GEN}, with enough personality to stand apart "
        "from the crowd and enough polish to keep {AUD} invested.",
        "{S} is a solid, often delightful piece of work. It leans on familiar ideas, but it does so "
        "with real craft, and the moments where it takes a risk are the moments that stick.",
    ],
    "mixed": [
        "There is a good {MED} buried somewhere inside {S}. Unfortunately, it is surrounded by "
        "ideas that never quite come together, and the result is an experience that is easy to "
        "admire in pieces and hard to love as a whole.",
        "{S} has a strong premise and a talented team behind it, which makes its frustrations "
        "sting a little more. It is watchable, occasionally even exciting, but it rarely rises "
        "above the sum of its borrowed parts.",
        "For every inspired moment in {S}, there is a stretch that feels like it is running out "
        "the clock. It is not a disaster, but it is the kind of {MED} you forget about by the "
        "following week.",
    ],
    "low": [
        "It is hard to say what went wrong with {S}, because so little of it seems to have gone "
        "right. The premise is promising on paper, but the execution is flat, the pacing is "
        "punishing, and the whole thing feels unfinished.",
        "{S} is a frustrating {MED}. It borrows from better examples of {GEN} without understanding "
        "what made them work, and it asks a lot of patience from {AUD} while offering very little "
        "in return.",
    ],
}

SETUP = {
    "Film": [
        "The film follows {PREM}. {C1} leads the cast with a performance that is all coiled "
        "tension, while {C2} brings a looseness that keeps the early scenes from tipping into "
        "melodrama. The script, from {MAKER}, is economical about exposition and patient about "
        "letting characters reveal themselves.",
        "At its center is {PREM}. {MAKER} frames the story tightly, rarely leaving {C1}'s side, "
        "and that closeness pays off when the second act opens up and the consequences of every "
        "small lie start to pile up.",
        "The story is simple: {PREM}. What makes it interesting is how {MAKER} lets the world "
        "around {C1} and {C2} feel lived in, full of side characters who seem to have whole lives "
        "happening just off screen.",
    ],
    "Video Games": [
        "You play as {PREM}. The opening hours are a well-judged tutorial that never feels like "
        "one, and by the time the map opens up, {MAKER} has taught you every system you need "
        "without a single wall of text.",
        "The setup is straightforward: {PREM}. The loop that grows out of it is anything but. "
        "Each run, chapter or day layers one new idea on top of the last, and the game is smart "
        "about retiring mechanics before they wear out their welcome.",
        "Built around {PREM}, the campaign runs around twenty hours on a first playthrough, with "
        "plenty of optional content for completionists. {MAKER} clearly understands that "
        "{GEN} live or die on their moment-to-moment feel.",
    ],
    "TV": [
        "The series follows {PREM}. {C1} anchors the ensemble, and the writers give even the "
        "smallest supporting roles a moment to breathe. Across the season, the mystery at the "
        "center matters less than the people trying to solve it.",
        "Created by {MAKER}, the show centers on {PREM}. It takes two episodes to set its pieces "
        "on the board, but once it does, the season moves with real momentum.",
    ],
    "TV-episode": [
        "Picking up right where {PREV} left off, {EPT} puts {L1} in an impossible position. The "
        "episode splits its time between the fallout at home and a case that hits closer than "
        "anyone expected, and it is at its best when those two threads collide.",
        "{EPT} slows things down after the chaos of {PREV}. {L1} and {L2} finally have the "
        "conversation the season has been building toward, and the writers let it play out "
        "without a single cutaway.",
        "This week, {L2} takes center stage. {EPT} gives the character the most interesting "
        "material they have had all season, and the performance rises to meet it, even if the "
        "B-plot around {L1} feels like it belongs in a different episode.",
    ],
    "Anime-episode": [
        "Following the events of {PREV}, {L1} is struggling with what comes next. {EPT} spends its "
        "first half on quiet character work between {L1} and {L2} before the back half pushes the "
        "story forward with a confidence the season has been building toward.",
        "{EPT} opens with {L2} alone, a small choice that reframes everything after it. The "
        "episode is structured like a short story, with a clear beginning, middle and end, and "
        "it is all the stronger for it.",
        "{EPT} is a transitional episode on paper, moving {L1} and {L2} into position for the "
        "final stretch. In practice, it finds plenty of room for the small, specific moments that "
        "have made the series easy to love.",
    ],
    "Anime": [
        "The series follows {PREM}. {MAKER} gives the early episodes room to breathe, trusting "
        "the audience to fall for the characters before the plot kicks in, and the gamble mostly "
        "pays off.",
        "Centered on {PREM}, the story moves briskly without feeling rushed. {L1} and {L2} are an "
        "instantly likable pair, and their chemistry carries the slower stretches.",
    ],
    "Comics": [
        "The issue follows {PREM}. Writer {C1} keeps the narration lean and lets the pages do the "
        "talking, while the story quietly lays track for the next arc.",
        "Writer {C1} opens with a cold open that pays off on the final page. In between, the book "
        "keeps its focus on {PREM}, and the balance of action and character work is close to "
        "perfect.",
        "This chapter zooms in on {PREM}. It is a dense read in the best way, packed with details "
        "that reward a second pass and dialogue that never wastes a balloon.",
    ],
}

CRAFT = {
    "Film": [
        "Visually, the film is gorgeous without being showy. The cinematography favors natural "
        "light and long takes, and the score swells only when it has earned it. The sound design "
        "deserves special mention, turning empty rooms into something quietly menacing.",
        "The editing is where the film really sings. Scenes end a beat earlier than you expect, "
        "conversations overlap, and a late montage manages to compress years into two minutes "
        "without losing the thread.",
        "{C2} steals nearly every scene they are in, and the supporting cast is uniformly strong. "
        "The production design makes the setting feel specific and real, down to the handwritten "
        "signs on the shop windows.",
    ],
    "Video Games": [
        "Combat is crunchy and readable, with enemies that telegraph their attacks clearly enough "
        "to reward learning them. The difficulty curve is fair, and the accessibility options are "
        "generous, including remappable controls and a toggle for timing windows.",
        "Performance on {NET} is solid, holding a steady framerate in quality mode with only "
        "occasional dips in the busiest areas. Load times are short, and the 4K presentation is "
        "crisp, though the art direction does more work than the raw fidelity.",
        "The soundtrack is a highlight, shifting with the pace of play, and the voice cast brings "
        "real warmth to characters who could have been forgettable quest dispensers. Menus are "
        "clean, and the map is a genuine pleasure to read.",
    ],
    "TV": [
        "The direction is consistently strong, and the show looks expensive in the ways that "
        "matter: locations feel real, and the camera knows when to stay still. The score is "
        "understated, and the needle drops are chosen with care.",
        "{C2} is the season's secret weapon, finding comedy and grief in the same line reading. "
        "The writing trusts its audience, skipping the recaps and over-explained flashbacks that "
        "weigh down so many streaming dramas.",
    ],
    "TV-episode": [
        "The direction this week is some of the show's best, with a long unbroken shot during the "
        "episode's central set piece that makes the danger feel immediate. The score stays out of "
        "the way until the final minutes, when it finally lets loose.",
        "The performances carry the episode. {L1} gets a monologue late in the hour that could "
        "have been corny in lesser hands, and the guest cast holds its own.",
    ],
    "Anime": [
        "Visually, {ST} continues to do strong work. Backgrounds are lush, with sunsets and rain "
        "that feel painted rather than rendered, even if character faces get a little elastic in "
        "wide shots. The soundtrack leans on piano and strings and never overstays.",
        "The animation is inconsistent but spirited. When {ST} puts the budget on screen, in a "
        "chase through the market or a late-night conversation on a rooftop, the series looks "
        "wonderful; in between, it makes smart use of stills and framing.",
        "The voice cast is excellent across the board, especially the actor behind {L2}, who "
        "finds a new register for the character this week. The direction makes clever use of "
        "color to signal shifts in mood.",
    ],
    "Comics": [
        "Artist {C2} is doing career-best work here. The layouts are inventive without ever "
        "becoming hard to follow, and a double-page spread in the middle of the issue is the kind "
        "of image you want to pull out and frame. The colors shift from cold blues to a feverish "
        "orange as the tension rises, and the lettering is clean and expressive.",
        "{C2}'s art is loose and energetic, with a fantastic sense of motion in the action "
        "sequences. The coloring keeps each location distinct, and the lettering handles a lot of "
        "overlapping dialogue without ever feeling cluttered.",
    ],
}

CRITIQUE = {
    "high": [
        "If there is a complaint to make, it is that a couple of side threads get resolved a "
        "little too neatly. It barely matters. Those are small marks against something this "
        "assured.",
        "It is not flawless: one subplot feels undercooked, and the middle stretch slows down "
        "more than it needs to. But those moments pass quickly, and what surrounds them is "
        "exceptional.",
    ],
    "good": [
        "Where it stumbles is in the pacing. The middle section repeats a few beats, and one "
        "supporting character never gets the development they deserve. Still, the highs are high "
        "enough to carry it through.",
        "Some of the dialogue is clunkier than it needs to be, and the final stretch ties things up "
        "a little too neatly. Those are real flaws, but they never sink the experience.",
    ],
    "mixed": [
        "The biggest problem is tone. It swings from broad comedy to heavy drama without earning "
        "either, and the characters end up feeling like tools of the plot rather than people. "
        "Several scenes exist only to set up things that never pay off.",
        "The pacing is the main issue. Long stretches pass without anything meaningful changing, "
        "and when the big moments arrive, they feel rushed. A tighter edit would have helped.",
    ],
    "low": [
        "Nearly everything that could go wrong does. The story is muddled, the characters are "
        "thin, and the technical side is rough, with problems that should have been caught long "
        "before release. Even the strongest moments are undercut by what comes next.",
        "The writing is the biggest culprit, piling exposition on top of exposition until nothing "
        "feels at stake. By the final act, I was checking the clock more than the screen.",
    ],
}

VERDICT = {
    "high": [
        "{S} is a remarkable {MED}: confident, moving and endlessly rewatchable. It is easily one "
        "of the best things I have seen this year, and it deserves every bit of attention it gets.",
        "In the end, {S} is a reminder of how good {GEN} can be when everyone involved is pulling "
        "in the same direction. Do not miss it.",
    ],
    "good": [
        "{S} is a strong, satisfying {MED} that does far more right than wrong. It will not change "
        "minds about {GEN}, but for anyone already on board, it is an easy recommendation.",
        "Flaws and all, {S} is worth your time. It has a clear voice and a big heart, and that "
        "goes a long way.",
    ],
    "mixed": [
        "{S} is a mixed bag. There are pieces here worth seeing, but it is hard to recommend the "
        "whole package to anyone but the most devoted fans of {GEN}.",
        "Ultimately, {S} is a missed opportunity. The talent is there, and the premise is strong, "
        "but the execution never quite comes together.",
    ],
    "low": [
        "{S} is a disappointment from start to finish. There are far better options out there, "
        "and even die-hard fans of {GEN} can safely skip this one.",
        "It is hard to recommend {S} to anyone. Wait for a patch, a sale or, better yet, "
        "something else entirely.",
    ],
}

TLDR = {
    "high": [
        "{P} is a confident, moving triumph and one of the best of the year.",
        "{P} is sharp, warm and beautifully paced, an easy must-see.",
        "{P} is a strong, sweeping standout that earns every emotional beat.",
    ],
    "good": [
        "{P} is a solid, often delightful ride that does far more right than wrong.",
        "{P} has a few bumps, but its heart and craft carry it through.",
        "{P} is an easy recommendation for anyone already on board.",
    ],
    "mixed": [
        "{P} has good pieces that never quite come together.",
        "{P} is watchable but rarely rises above its borrowed parts.",
    ],
    "low": [
        "{P} is a frustrating misfire that is easy to skip.",
        "{P} squanders a strong premise with flat execution.",
    ],
}

# What the generator really says: a long list per band, taken in turn (generate.py), so one week's
# issue reads nine different verdicts. TLDR above is still drawn from, to keep the seeded stream.
TLDR_VARIANTS = {
    "high": [
        "{P} is a confident, moving triumph and one of the best of the year.",
        "{P} is sharp, warm and beautifully paced, an easy must-see.",
        "{P} earns every emotional beat and sticks the landing.",
        "{P} takes a familiar setup somewhere bold, and it pays off.",
        "{P} is the rare follow-up that makes its predecessor better in hindsight.",
        "{P} balances big set pieces with quiet character work, and both land.",
        "{P} is funny, tense and generous with its cast; clear your evening.",
        "{P} looks gorgeous and, better still, has something to say.",
        "{P} is tightly built, with barely a wasted minute.",
        "{P} rewards patience with a finale that recasts everything before it.",
        "{P} is inventive from its first scene and never coasts.",
        "{P} shows a creative team at the top of its game.",
    ],
    "good": [
        "{P} is a solid, often delightful ride that does far more right than wrong.",
        "{P} has a few bumps, but its heart and craft carry it through.",
        "{P} is an easy recommendation for anyone already on board.",
        "{P} sags in the middle, but its best moments are worth the wait.",
        "{P} plays it safe, yet plays it well.",
        "{P} is a fun, well-made outing held back by a rushed ending.",
        "{P} trades surprise for polish, and mostly gets away with it.",
        "{P} is a welcome step up, even if it leans on old tricks.",
        "{P} has a standout lead performance that lifts a thin script.",
        "{P} is uneven but charming, and never dull.",
    ],
    "mixed": [
        "{P} has good pieces that never quite come together.",
        "{P} is watchable but rarely rises above its borrowed parts.",
        "{P} has a great hook and too little to hang on it.",
        "{P} is handsome, slow and oddly weightless.",
        "{P} will please devoted fans and puzzle everyone else.",
        "{P} has one terrific hour buried in a long, muddled run.",
        "{P} is ambitious and messy in equal measure.",
        "{P} starts strong, then loses its nerve.",
        "{P} is pleasant enough and gone from memory by morning.",
    ],
    "low": [
        "{P} is a frustrating misfire that is easy to skip.",
        "{P} squanders a strong premise with flat execution.",
        "{P} is buggy, padded and hard to finish.",
        "{P} mistakes noise for spectacle.",
        "{P} never finds a reason to exist beyond its title.",
        "{P} is a chore even at its short running time.",
        "{P} wastes a fine cast on a script that goes nowhere.",
        "{P} feels unfinished, and not in an interesting way.",
    ],
}

AVAILABILITY = {
    "Film": "{W} is {WHERE}.",
    "Video Games": "{W} is available now on {PLATFORMS}. Reviewed on {NET}; a review code was "
                   "provided by the publisher.",
    "TV": "{W} Season {SEASON} is streaming now on {NET}.",
    "TV-episode": "{S} is streaming now on {NET}.",
    "Anime-episode": "{S} is streaming now on {NET}.",
    "Anime": "{S} is streaming now on {NET}.",
    "Comics": "{S} is available now wherever comics are sold, from {NET}.",
}

# ---------------------------------------------------------------- non-review posts

NEWS_TITLES = {
    "Film": [
        "‘{work}’ Director Confirms Sequel Is In Development",
        "First Look: ‘{work}’ Reveals Its Main Cast",
        "‘{work}’ Sets Streaming Date After Strong Box Office",
        "‘{work}’ Wins Big At The Spring Indie Awards",
        "‘{work}’ Gets A 4K Collector’s Edition",
    ],
    "TV": [
        "‘{work}’ Renewed For Another Season At {net}",
        "‘{work}’ Sets Premiere Date And Drops First Poster",
        "‘{work}’ Trailer Teases A Darker Second Act",
        "‘{work}’ Adds Three Series Regulars",
    ],
    "Anime": [
        "‘{work}’ Season 2 Gets A Summer Release Date",
        "‘{work}’ English Dub Cast Announced",
        "‘{work}’ Trailer Teases A Darker Second Act",
        "‘{work}’ Gets A Theatrical Film Next Year",
    ],
    "Video Games": [
        "{studio} Announces ‘{work}’ DLC Coming In June",
        "‘{work}’ Free Update Adds New Mode And Photo Tools",
        "‘{work}’ Is Coming To Nintendo Switch 2",
        "‘{work}’ Delayed To Later This Year",
        "‘{work}’ Gets A Surprise Shadow Drop On Console",
    ],
    "Comics": [
        "‘{work}’ Is Getting A Deluxe Hardcover Edition",
        "‘{work}’ Optioned For Television",
        "‘{work}’ Creative Team Reunites For New Miniseries",
        "‘{work}’ Returns This Summer With A New Arc",
    ],
}

NEWS_BODY = [
    "<p>{W} fans have something new to look forward to. {NET} confirmed the news on Tuesday "
    "morning in a short announcement that also included a first look at what is coming next.</p>",
    "<p>According to the announcement, the team behind {W} has been working on this for most of "
    "the past year. The release will arrive in stages, with more details promised in the coming "
    "weeks, including a behind-the-scenes look at the production.</p>",
    "<p>&#8220;We could not be more excited to share this with everyone who has supported us,&#8221; "
    "{C1} said in a statement. &#8220;There is a lot more to come, and we think fans are going to "
    "love where this goes.&#8221;</p>",
    "<p>Second Screen will have more on {W} as it develops. In the meantime, you can catch up on "
    "our coverage in the archive, including our reviews and interviews with the creative team.</p>",
]

FEATURE_SPECS = [
    # (key, title, section, list items (optional))
    ("sunderfolk", "10 ‘Sunderfolk’ Tips To Help You And Your Party Thrive", "Video Games"),
    ("score-guide", "Our Review Score Guide, Explained", "Film"),
    ("top10-openings", "Top 10 Anime Openings Of The Spring 2025 Season", "Anime"),
    ("after-ember", "5 Games To Play After Beating ‘Ember Vale’", "Video Games"),
    ("practical", "Why Practical Effects Still Matter In 2025", "Film"),
    ("best-april-tv", "The Best TV Episodes Of April 2025", "TV"),
    ("comics-pull", "Pull List: The Comics We Cannot Stop Reading This Month", "Comics"),
    ("sleeper", "Why ‘Lantern Row Detectives’ Is The Sleeper Hit Of The Season", "Anime"),
    ("cozy", "7 Cozy Games To Unwind With This Weekend", "Video Games"),
    ("summer-movies", "The Most Anticipated Movies Of Summer 2025", "Film"),
    ("procedurals", "In Defense Of The Network Procedural", "TV"),
    ("manga-starter", "Where To Start With Manga: A Beginner’s Guide", "Comics"),
    ("rewatch", "Every ‘Station 51’ Season Ranked", "TV"),
    ("handhelds", "The Handheld Games That Defined Our Spring", "Video Games"),
    ("simulcast", "How Simulcasts Changed The Way We Watch Anime", "Anime"),
    ("horror-spring", "The Best Horror Movies Of 2025 So Far", "Film"),
    ("letterers", "Letterers Are The Unsung Heroes Of Comics", "Comics"),
    ("finales", "Great Season Finales That Changed Everything", "TV"),
]

SUNDERFOLK_TIPS = [
    ("Talk Before Every Round", "The whole point of playing on phones around one screen is the table "
     "talk. Plan the round together before anyone commits a card."),
    ("Read The Enemy Before You Move", "Enemies show where they are heading. Use that information "
     "to keep your fragile heroes out of harm's way."),
    ("Fight For The Objective, Not The Kill Count", "Many missions end the moment the objective "
     "is complete. Clearing every enemy is often a waste of turns."),
    ("Use The Terrain", "Hazards, chokepoints and high ground all matter. Pushing an enemy into "
     "fire is usually better than hitting it twice."),
    ("Spend Your Gold In Town", "Every visit to town is a chance to upgrade. Hoarding gold for a "
     "perfect item later leaves your party underpowered now."),
    ("Try Every Hero", "Each of the six heroes plays very differently. Rotating who plays what "
     "keeps the table fresh and teaches everyone the full kit."),
    ("Do Not Hoard Your Best Cards", "A strong card saved for the perfect moment is a strong card "
     "that never gets played. Use it when it wins the round."),
    ("Let Newcomers Lead", "New players learn faster when they make the call. Offer advice, then "
     "let them choose."),
    ("Check The Story Choices Together", "Choices between missions shape the campaign. Vote on "
     "them as a party so nobody feels left out of the story."),
    ("Take Breaks", "Sessions run long. Stopping after a mission keeps the table sharp and the "
     "snacks stocked."),
]

INTERVIEW_TOPICS = [
    "Building A World From Scratch",
    "Finding The Heart Of The Story",
    "Why The Ending Had To Change",
    "Working With A Tiny Team",
    "Adapting A Beloved Book",
    "The Music That Shaped The Project",
]

INTERVIEW_QA = [
    ("Where did the idea first come from?",
     "Honestly, it started as a joke between friends. We kept coming back to it until it stopped "
     "being a joke and started being the thing we wanted to spend years on."),
    ("What was the hardest part of production?",
     "Time. There is never enough of it. We cut a lot of things we loved, and I think the final "
     "version is better for it, but it hurt at the time."),
    ("How did the team shape the final result?",
     "Everyone brought something I would never have thought of. The best ideas in the project "
     "came from people who were told they could say no to me."),
    ("What do you hope audiences take away from it?",
     "That it is okay to be a little bit lost. Everybody in the story is figuring it out as they "
     "go, and I think that is true for most of us."),
    ("What is next for you?",
     "A long nap, and then something smaller. I want to make something quick and strange before "
     "I start another big project."),
]
