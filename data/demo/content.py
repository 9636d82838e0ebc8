"""Editorial content of the two bundled demo sites.

Everything here is original writing about fictional places, people and
organisations (Alder Falls on the Wendle River, the borough of Northgate).
``generate.py`` turns it into static WordPress-like pages.

Body blocks are tuples:

* ``("p", html)``                  a paragraph (inline HTML allowed, ``&amp;`` for &)
* ``("h2", text)``                 a subheading
* ``("quote", html, cite)``        a ``<blockquote>`` holding one paragraph and a cite
* ``("ul", [html, ...])``          a bulleted list
* ``("figure", file, alt, caption)`` an image from /wp-content/uploads/2026/11/
* ``("raw", html)``                markup with no body text (scripts, embeds, ads)

Links in paragraphs may use ``{{SITE}}``; the static server fills it in.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------
# The wire story published by both sites, word for word.
# ---------------------------------------------------------------------------

WIRE_TITLE = "Regional flood defence fund awards $48.6 million to 14 river towns"

WIRE_BODY = [
    ("p", "The Regional Flood Resilience Agency has awarded $48.6 million in grants to 14 river "
          "towns, the largest single round of funding since the agency was created after the "
          "floods of 2019. The money will pay for raised embankments, new pumping stations and "
          "the restoration of wetlands that can hold back water during heavy storms."),
    ("p", "Agency director Philippa Marsh announced the awards on Wednesday at a flood barrier "
          "construction site in Eastbrook, one of the towns that has waited longest for help. "
          "Applications were scored on the number of homes at risk, the cost of each project and "
          "whether towns had committed matching funds of at least a fifth of the total."),
    ("h2", "Which towns received money"),
    ("p", "The largest grants went to towns along the lower stretches of the valley, where river "
          "levels have risen above flood stage four times in the past decade and where insurers "
          "have begun to refuse cover for some older streets. Four towns received more than half "
          "of the money between them:"),
    ("ul", [
        "Eastbrook: $9.2 million for a 2.2-kilometre embankment and two pumping stations",
        "Alder Falls: $6.5 million to raise riverside roads and replace storm drains",
        "Northgate: $5.8 million for flood gates at the harbour and a new culvert under Station Road",
        "Kettleby: $4.1 million to restore 120 acres of floodplain meadow",
    ]),
    ("p", "Eleven other towns shared the remaining $23 million, with most grants falling between "
          "$1 million and $3 million. Six applications were turned down, either because the "
          "projects were not ready to start within two years or because the towns could not show "
          "how they would maintain new structures once they were built."),
    ("quote", "Concrete walls alone move the problem downstream. When a town also gives the river "
              "somewhere safe to spread out, everyone who lives below it benefits, and that is "
              "the kind of project we chose to fund first.",
     "Philippa Marsh, director of the Regional Flood Resilience Agency"),
    ("p", "Marsh said the agency had deliberately favoured projects that combine hard defences "
          "with natural ones, such as meadows that flood safely and ponds that store storm water. "
          "The agency expects to open a smaller round of funding for design work in the spring, "
          "aimed at towns that were not ready to apply this year."),
    ("p", "Environmental groups broadly welcomed the announcement but warned that the total fell "
          "well short of the estimated $310 million needed to protect every at-risk community in "
          "the region. Construction on the first funded projects is expected to begin next "
          "summer, and towns must report on their progress to the agency every six months."),
]

# ---------------------------------------------------------------------------
# Site 1: The Riverside Herald (Alder Falls), Jetpack related posts
# ---------------------------------------------------------------------------

RIVERSIDE = {
    "name": "riverside-herald",
    "site_name": "The Riverside Herald",
    "tagline": "News for Alder Falls and the Wendle Valley",
    "offset": "-05:00",
    "cookie": "The Riverside Herald uses cookies to remember your preferences and to understand "
              "how our journalism is read. Choose “Accept” to allow them or “Settings” to pick "
              "which ones we may use.",
    "newsletter_title": "Get the morning briefing",
    "newsletter_text": "Get the morning briefing: the day’s top Alder Falls stories in your inbox "
                       "before 7 a.m., free every weekday.",
    "copyright": "© 2026 The Riverside Herald. All rights reserved.",
    "authors": {
        "Dana Whitcomb": "Dana Whitcomb covers City Hall and the school board for the Herald "
                         "and has reported from Alder Falls since 2014.",
        "Priya Natarajan": "Priya Natarajan writes about local business, libraries and "
                           "community life, and edits the Herald’s weekend pages.",
        "Marcus Bell": "Marcus Bell is the Herald’s sports editor and a former coxswain who "
                       "still gets up too early on race days.",
        "Theresa Quill": "Theresa Quill reports on housing, transit and county government for "
                         "the Herald.",
        "Harriet Voss": "Harriet Voss reports on environment and infrastructure for the "
                        "Regional News Service.",
        "Jorge Almeida": "Jorge Almeida is a staff photographer at the Herald.",
    },
    "comments": [
        ("Bill Travers", "Finally some sense from the council. I drive that detour twice a day "
                         "and it has added twenty minutes to every trip."),
        ("Marisol K.", "Would be good to know how long the work is supposed to take before "
                       "anyone starts celebrating."),
        ("Deb from Orchard St", "Thank you for covering this, nobody else seems to bother "
                                "with what happens on our side of the river."),
        ("J. Ostrowski", "My grandmother used to say the same thing about this town forty "
                         "years ago. Some things never change."),
        ("Kelly Brennan", "Shared this with our neighborhood group. Lots of people had no idea "
                          "this was even happening."),
        ("RiverRat77", "Great news. Now do something about the potholes on Linden Avenue."),
        ("Anne-Marie Duval", "Does anyone know if there will be another public meeting about "
                             "this before the end of the year?"),
    ],
    "recent_title": "Recent Posts",
    "most_read_title": "Most Read",
}

RIVERSIDE_ARTICLES = [
    {
        "slug": "council-approves-ferry-street-bridge-repairs",
        "post_id": 4401,
        "title": "Council approves $3.1 million repair of the Ferry Street Bridge",
        "author": "Dana Whitcomb",
        "section": "Politics",
        "tags": ["City Council", "Infrastructure", "Ferry Street Bridge"],
        "published": "2026-11-16T21:40:00",
        "modified": "2026-11-17T08:05:00",
        "related": ["flood-defence-fund-awards-grants", "hartleys-bakery-mill-lane-to-close",
                    "route-9-evening-bus-pilot-extended"],
        "body": [
            ("p", "The Alder Falls City Council voted 5–2 on Monday night to spend $3.1 million "
                  "repairing the Ferry Street Bridge, ending a months-long argument over whether "
                  "the 1930s steel span should be patched, rebuilt or closed to cars altogether. "
                  "Work is expected to begin in March and keep one lane open for most of the "
                  "project."),
            ("p", "Engineers hired by the city told council members in September that corrosion "
                  "on two of the bridge’s lower beams had advanced faster than expected, "
                  "prompting a temporary 10-ton weight limit that has sent delivery trucks and "
                  "school buses on a detour of nearly two miles through the Mill Lane "
                  "neighborhood."),
            ("h2", "A compromise on cost"),
            ("p", "The approved plan is the cheapest of the three options the engineers "
                  "presented. It replaces the damaged beams, resurfaces the deck and adds a "
                  "protected walking lane on the upstream side, but it stops short of the full "
                  "replacement that Councilmember Rosa Delgado and several neighborhood groups "
                  "had pushed for since the spring."),
            ("p", "Delgado, who voted against the measure with Councilmember Tom Haskett, argued "
                  "that the city would be back at the table within fifteen years. “We are buying "
                  "time, not a bridge,” she said during the debate, which ran for more than two "
                  "hours and drew a standing-room crowd to the council chambers on Second "
                  "Street."),
            ("quote", "Nobody in this room wanted to spend three million dollars on a bridge "
                      "built before their grandparents were born. But leaving it to rust until "
                      "something gives way is not a plan, and neither is closing the only "
                      "crossing most of the east side can walk to.",
             "Mayor Linda Orsini"),
            ("p", "Mayor Linda Orsini said the repairs would be paid for from the city’s capital "
                  "reserve and a state bridge grant of $900,000 awarded last year. She added that "
                  "the city would ask for more help from the regional flood defence fund, whose "
                  "latest awards are described in "
                  "<a href=\"/2026/11/flood-defence-fund-awards-grants/\">our report on the "
                  "grants</a>, to raise the approach roads on both banks."),
            ("figure", "ferry-street-bridge.jpg",
             "The Ferry Street Bridge seen from the east bank",
             "The Ferry Street Bridge has carried a 10-ton weight limit since September. "
             "(Photo: Jorge Almeida / Riverside Herald)"),
            ("p", "Residents of Mill Lane, who have complained about heavy traffic since the "
                  "detour began, welcomed the vote. “We just want the trucks off our street,” "
                  "said Gail Pruitt, who has lived near the corner of Mill Lane and Orchard "
                  "Street for thirty years. The detour will remain in place until the new beams "
                  "are installed, likely by early summer."),
        ],
    },
    {
        "slug": "library-to-open-on-sundays",
        "post_id": 4403,
        "title": "Alder Falls library to open on Sundays for the first time in a decade",
        "author": "Priya Natarajan",
        "section": "Community",
        "tags": ["Library", "Community"],
        "published": "2026-11-17T12:20:00",
        "modified": "2026-11-17T12:20:00",
        "related": ["winter-shelter-opens-early", "hartleys-bakery-mill-lane-to-close",
                    "school-budget-hearing-draws-crowd"],
        "body": [
            ("p", "The Alder Falls Public Library will open on Sunday afternoons for the first "
                  "time in more than a decade, after the library board approved a new schedule "
                  "that adds eleven hours of weekend service starting December 6. The change "
                  "was made possible by a bequest from a longtime patron and the hiring of two "
                  "part-time staff members."),
            ("p", "Library director Owen Calloway said Sunday hours had been the most common "
                  "request in a survey of 1,200 residents conducted over the summer. Many "
                  "respondents said they worked during the week and could only visit on "
                  "Saturday mornings, when the building is often crowded with children’s story "
                  "time and the popular seed-library swap."),
            ("ul", [
                "Main branch, Linden Avenue: Saturdays 9 a.m. to 5 p.m. (previously 9 a.m. to 1 p.m.)",
                "Main branch, Linden Avenue: Sundays 1 p.m. to 5 p.m.",
                "Eastside branch: Saturdays 10 a.m. to 2 p.m.",
            ]),
            ("p", "The bequest came from the estate of Margaret Fell, a retired schoolteacher who "
                  "volunteered at the library’s front desk for nineteen years and died in "
                  "February at the age of 91. Her gift of $240,000 will cover the added staff "
                  "costs for at least four years, according to the board, which has also asked "
                  "the city to consider making the hours permanent in future budgets."),
            ("p", "Calloway said the library would use the extra time to expand its homework "
                  "help program and to offer its meeting rooms to local groups that have "
                  "struggled to find space. Residents can "
                  "<a href=\"https://www.example.org/alder-falls-library/hours\" "
                  "onclick=\"trackOutbound('library-hours'); return true;\">read the full "
                  "schedule on the library’s website</a> or pick up a printed copy at either "
                  "branch."),
            ("p", "Not everyone on the board supported the plan. Trustee Walter Brandt voted "
                  "against it, saying he worried that the library would struggle to keep the "
                  "hours if the bequest ran out. “It is easy to open the doors and much harder "
                  "to close them again,” Brandt said. The vote was four to one."),
        ],
    },
    {
        "slug": "school-budget-hearing-draws-crowd",
        "post_id": 4404,
        "title": "Parents pack first hearing on school budget that would close Willow Creek Elementary",
        "author": "Dana Whitcomb",
        "section": "Education",
        "tags": ["Schools", "Budget", "Willow Creek Elementary"],
        "published": "2026-11-18T09:15:00",
        "modified": "2026-11-18T11:02:00",
        "related": ["library-to-open-on-sundays", "council-approves-ferry-street-bridge-repairs"],
        "body": [
            ("p", "Parents and teachers filled the Alder Falls High School auditorium on Tuesday "
                  "evening for the first public hearing on the school district’s proposed "
                  "budget, which would cut 14 teaching positions and close the district’s "
                  "smallest elementary school at the end of the academic year to cover a "
                  "projected shortfall of $2.7 million."),
            ("p", "Superintendent Carla Mendez told the audience that the district had already "
                  "used most of its reserves to cover rising transportation and health insurance "
                  "costs. “Every option in front of us is painful,” she said. “What we are trying "
                  "to do is protect class sizes in the early grades and keep every program that "
                  "students depend on to graduate.”"),
            ("raw", "<div class=\"advertisement ad-inline\" aria-label=\"Advertisement\">"
                    "<span class=\"ad-label\">Advertisement</span>"
                    "<div id=\"div-gpt-ad-inarticle-1\" style=\"min-height:250px\"></div></div>"),
            ("p", "The proposal would close Willow Creek Elementary, which has 162 students and a "
                  "building that needs an estimated $4 million in roof and heating repairs. Its "
                  "students would move to Hillcrest and Mason Street elementary schools, both of "
                  "which have space. Several Willow Creek parents said the longer bus rides "
                  "would be hardest on the youngest children."),
            ("quote", "My daughter is six. Under this plan she would be on a bus for forty "
                      "minutes each way, past two schools, to get to a building she has never "
                      "seen. I understand the numbers. I do not understand why the smallest "
                      "children always pay first.",
             "Erin Castellano, a Willow Creek parent"),
            ("p", "Teachers’ union president Robert Ngata urged the board to look again at the "
                  "district’s central office spending, which has grown by 18 percent in five "
                  "years, and to delay any vote on the closure until a study of enrollment "
                  "trends is finished in the spring. The Herald has published a "
                  "<a href=\"/wp-content/uploads/2026/11/budget-summary.pdf\">summary of the "
                  "proposed budget</a> (PDF)."),
            ("p", "The school board will hold a second hearing on December 3 and is scheduled to "
                  "vote on the budget on December 17. Board chair Nadine Foster said members had "
                  "not yet decided whether to vote on the closure separately. “We have heard "
                  "people tonight, and we will keep listening,” she said as the meeting ended "
                  "shortly before eleven."),
        ],
    },
    {
        "slug": "flood-defence-fund-awards-grants",
        "post_id": 4405,
        "title": WIRE_TITLE,
        "author": "Harriet Voss",
        "section": "News",
        "tags": ["Flooding", "Environment", "Regional News Service"],
        "published": "2026-11-18T16:30:00",
        "modified": "2026-11-18T16:30:00",
        "related": ["council-approves-ferry-street-bridge-repairs", "winter-shelter-opens-early",
                    "riverside-rowing-club-wins-regional-title"],
        "body": WIRE_BODY,
        "wire": True,
    },
    {
        "slug": "hartleys-bakery-mill-lane-to-close",
        "post_id": 4406,
        "title": "Hartley’s Bakery & Café on Mill Lane to close after 41 years",
        "author": "Priya Natarajan",
        "section": "Business",
        "tags": ["Business", "Mill Lane", "Food & Drink"],
        "published": "2026-11-20T11:00:00",
        "modified": "2026-11-20T15:45:00",
        "related": ["council-approves-ferry-street-bridge-repairs", "library-to-open-on-sundays",
                    "route-9-evening-bus-pilot-extended"],
        "body": [
            ("p", "Hartley’s Bakery &amp; Café, the Mill Lane shop known across Alder Falls for "
                  "its cinnamon twists and its hand-lettered chalkboard of daily specials, will "
                  "close on December 24 after 41 years in business. Owners Ruth and Dennis "
                  "Hartley said they had decided to retire after failing to find a buyer willing "
                  "to keep the bakery running."),
            ("p", "The couple opened the shop in 1985 in a former shoe repair store, baking bread "
                  "overnight in a single oven and selling out most mornings before ten. Over the "
                  "years they expanded into the building next door, added a dozen tables and "
                  "began supplying rolls to several restaurants and to the cafeteria at Carrow "
                  "County Hospital."),
            ("p", "Ruth Hartley said the detour caused by the weight limit on the "
                  "<a href=\"{{SITE}}/2026/11/council-approves-ferry-street-bridge-repairs/\">Ferry "
                  "Street Bridge</a> had not helped, with delivery trucks rumbling past the front "
                  "window all day, but insisted it was not the reason for closing. “We are tired, "
                  "and our knees are tired,” she said. “We wanted to stop while we still enjoyed "
                  "it.”"),
            ("raw", "<figure class=\"wp-block-embed is-type-rich\"><div class=\"wp-block-embed__wrapper\">"
                    "<iframe title=\"Map of Mill Lane\" src=\"https://maps.example.com/embed?q=Mill+Lane%2C+Alder+Falls\" "
                    "width=\"600\" height=\"300\" loading=\"lazy\" style=\"border:0\"></iframe>"
                    "</div></figure>"),
            ("p", "Regulars have been lining up since the announcement was posted on the shop "
                  "door last week, and several said they planned to buy extra loaves to freeze. "
                  "“I have eaten a cinnamon twist here every Saturday since I was in high "
                  "school,” said Kevin Marr, who now brings his own children. “I do not know what "
                  "Saturdays look like without it.”"),
            ("p", "The Hartleys said they would give their recipes to anyone who asks, and that "
                  "two former employees are exploring opening a smaller bakery elsewhere in town. "
                  "The building’s owner said she had received inquiries from a coffee chain and a "
                  "bicycle shop but had not yet signed a new lease for the space."),
        ],
    },
    {
        "slug": "winter-shelter-opens-early",
        "post_id": 4407,
        "title": "Winter shelter opens two weeks early as temperatures plunge",
        "author": "Theresa Quill",
        "section": "Community",
        "tags": ["Housing", "Weather", "Carrow County"],
        "published": "2026-11-21T09:30:00",
        "modified": "2026-11-21T09:30:00",
        "related": ["library-to-open-on-sundays", "route-9-evening-bus-pilot-extended",
                    "flood-defence-fund-awards-grants", "school-budget-hearing-draws-crowd"],
        "body": [
            ("p", "The Carrow County winter shelter opened two weeks earlier than planned on "
                  "Friday after forecasters warned that overnight temperatures in Alder Falls "
                  "could fall below 15 degrees this weekend. The shelter, in the basement of the "
                  "former armory on Dock Street, has 40 beds and will stay open every night from "
                  "7 p.m. to 8 a.m. until the end of March."),
            ("p", "Shelter coordinator Beatrice Amankwah said volunteers had worked through "
                  "Thursday night to set up cots, stock the kitchen and test the building’s aging "
                  "boiler. Eighteen people stayed at the shelter on its first night, more than "
                  "twice as many as on the opening night last year, a rise she attributed to "
                  "higher rents and the closure of a motel on Route 9."),
            ("h2", "How to help"),
            ("p", "The shelter is asking for donations of warm socks, gloves, thermal underwear "
                  "and travel-size toiletries, which can be dropped off at the armory in the "
                  "early evening on weekdays. It also needs volunteers for overnight shifts, "
                  "particularly on weekends, when many of its regular helpers are away visiting "
                  "family."),
            ("ul", [
                "Drop-off: 112 Dock Street, weekdays 5–7 p.m.",
                "Volunteer training: Saturdays at 10 a.m. in the armory hall",
                "Rides to the shelter: call the county help line on 2-1-1",
            ]),
            ("raw", "<div class=\"advertisement ad-inline\" aria-label=\"Advertisement\">"
                    "<span class=\"ad-label\">Advertisement</span>"
                    "<div id=\"div-gpt-ad-inarticle-2\" style=\"min-height:250px\"></div></div>"),
            ("p", "County commissioner Frank Odell said the county would review whether the "
                  "shelter should open whenever extreme cold is forecast, regardless of the date. "
                  "“We should not be waiting for a calendar date when people are sleeping outside "
                  "in freezing temperatures,” Odell said. The commission will discuss the idea on "
                  "December 2, along with a proposal to add twenty beds."),
            ("p", "Anyone who needs a bed can arrive without a referral. Guests are offered a hot "
                  "meal, a shower and breakfast, and staff from the county’s housing office visit "
                  "twice a week to help people apply for longer-term housing. Pets are welcome in "
                  "a separate room, a policy introduced last winter after several people refused "
                  "to leave their dogs outside."),
        ],
    },
    {
        "slug": "riverside-rowing-club-wins-regional-title",
        "post_id": 4408,
        "title": "Riverside Rowing Club takes Wendle Valley title for first time since 1998",
        "author": "Marcus Bell",
        "section": "Sport",
        "tags": ["Rowing", "Wendle River"],
        "published": "2026-11-21T18:45:00",
        "modified": "2026-11-22T09:10:00",
        "related": ["flood-defence-fund-awards-grants", "library-to-open-on-sundays",
                    "council-approves-ferry-street-bridge-repairs"],
        "body": [
            ("p", "The Riverside Rowing Club won the Wendle Valley regional title on Saturday for "
                  "the first time since 1998, with its women’s eight finishing more than three "
                  "seconds clear of the defending champions from Kettleby over the two-kilometre "
                  "course. The club’s four crews collected eleven points in total, two more than "
                  "their nearest rivals."),
            ("p", "Head coach Annie Fairbanks said the result reflected two years of early-morning "
                  "training on a river that was closed for much of last spring because of high "
                  "water. “We spent weeks on rowing machines in a school gym,” she said. “When the "
                  "river finally opened again, the crews were fitter than they had ever been, and "
                  "it showed today.”"),
            ("raw", "<script>window.raceWidget = window.raceWidget || []; "
                    "window.raceWidget.push({event: \"results_view\", race: \"wendle-regionals-2026\"});"
                    "</script>"),
            ("p", "Stroke Jenna Whitlock, a senior at Alder Falls High School, set the pace "
                  "through the first thousand metres before the crew pulled away past the old "
                  "boathouse, where several hundred spectators lined the towpath. The win "
                  "qualifies the eight for the state championship in Harlow next spring, which "
                  "the club has not entered since its boats were damaged in a 2019 flood."),
            ("h2", "A boathouse in need of repair"),
            ("p", "The club’s success comes as it tries to raise $180,000 to repair its "
                  "boathouse, a timber building from the 1920s whose lower floor flooded twice in "
                  "the past five years. Members have so far raised about a third of the total "
                  "through a sponsored row, a pancake breakfast and small donations collected at "
                  "races throughout the season."),
            ("p", "Club president Howard Lin said the title would help the fundraising campaign. "
                  "“People want to support something that is working,” he said. “These athletes "
                  "have shown what the club can do with old boats and a damp building. Imagine "
                  "what they could do with a dry one.” The club will hold an open house at the "
                  "boathouse on December 13."),
        ],
    },
    {
        "slug": "route-9-evening-bus-pilot-extended",
        "post_id": 4409,
        "title": "Route 9 evening bus pilot extended through spring after ridership doubles",
        "author": "Theresa Quill",
        "section": "Transport",
        "tags": ["Transit", "Route 9", "Carrow County"],
        "published": "2026-11-23T15:20:00",
        "modified": "2026-11-23T15:20:00",
        "related": ["council-approves-ferry-street-bridge-repairs", "winter-shelter-opens-early",
                    "hartleys-bakery-mill-lane-to-close"],
        "body": [
            ("p", "A pilot program that added evening buses on Route 9 between downtown Alder "
                  "Falls and the Riverside Industrial Park will continue until at least the end "
                  "of May, after ridership on the late services doubled during the program’s "
                  "first three months. The Carrow County Transit board approved the extension on "
                  "Monday without debate."),
            ("p", "The pilot added four buses each weekday evening, with the last leaving the "
                  "industrial park at 11:40 p.m. to match the end of the second shift at the "
                  "park’s two largest employers, a packaging plant and a medical supply "
                  "warehouse. Before the pilot, the last bus left at 7:15 p.m., forcing many "
                  "workers to drive, share rides or walk along the highway."),
            ("p", "Transit director Samuel Achebe said the evening buses carried an average of "
                  "212 passengers a day in October, up from 104 in August. Around two-thirds of "
                  "riders surveyed said they used the bus to get to or from work, and nearly a "
                  "fifth said they had turned down evening shifts in the past because they had "
                  "no way home."),
            ("p", "The extension will cost about $165,000, split between the transit agency and "
                  "the two employers, which agreed in the summer to cover part of the cost. "
                  "Achebe said the agency would seek state funding to make the service "
                  "permanent, but warned that a shortage of drivers meant adding buses on other "
                  "routes would be difficult before next year."),
            ("p", "Riders said the buses had changed their routines. “I used to leave my shift "
                  "twenty minutes early to catch a ride with a coworker, and I lost pay every "
                  "week,” said Luis Ferreira, who works at the packaging plant. “Now I take the "
                  "11:40 and I am home before midnight.” The agency will publish a full review "
                  "of the pilot in April."),
        ],
    },
]

# Full chrome, but the body is only a photo gallery with no text at all.
RIVERSIDE_GALLERY = {
    "slug": "photo-gallery-autumn-fair",
    "post_id": 4402,
    "title": "Photo gallery: Scenes from the Alder Falls Autumn Fair",
    "author": "Jorge Almeida",
    "section": "Community",
    "tags": ["Photos", "Autumn Fair"],
    "published": "2026-11-16T13:00:00",
    "modified": "2026-11-16T13:00:00",
    # Related posts on this page are Jetpack's empty placeholder, filled in by JavaScript.
    "related": [],
    "gallery": ["autumn-fair-1.jpg", "autumn-fair-2.jpg", "autumn-fair-3.jpg",
                "autumn-fair-4.jpg", "autumn-fair-5.jpg", "autumn-fair-6.jpg"],
}

# Feed items that are not (working) articles.
RIVERSIDE_FEED_EXTRAS = {
    "missing_link": {
        "title": "Weekend road closures: what drivers need to know",
        "author": "Theresa Quill",
        "category": "Transport",
        "published": "2026-11-19T12:00:00",
        "description": "Three downtown streets will close on Saturday and Sunday for utility "
                       "work and the holiday lights installation. Here is how to get around.",
    },
    "dead_link": {
        "slug": "harvest-market-moves-indoors",
        "title": "Harvest market moves indoors to the armory for the winter",
        "author": "Priya Natarajan",
        "category": "Community",
        "published": "2026-11-17T15:00:00",
        "description": "The Saturday harvest market will trade inside the old armory on Dock "
                       "Street from December until the spring thaw.",
    },
}

# ---------------------------------------------------------------------------
# Site 2: The Northgate Gazette, YARPP and Contextual Related Posts
# ---------------------------------------------------------------------------

NORTHGATE = {
    "name": "northgate-gazette",
    "site_name": "Northgate Gazette",
    "tagline": "Independent news for Northgate and the harbour since 1871",
    "offset": "+01:00",
    "cookie": "We use cookies to keep the Gazette running smoothly and to see which stories "
              "readers find useful. You can accept them all or choose which ones to allow.",
    "newsletter_title": "Get the morning briefing",
    "newsletter_text": "Get the morning briefing from the Gazette newsroom, with every story "
                       "that matters in Northgate, each weekday at 6.30am.",
    "copyright": "© 2026 Northgate Gazette Ltd. Registered in Northgate.",
    "authors": {
        "Eleanor Pryce": "Eleanor Pryce is the Gazette’s local democracy reporter and has "
                         "covered every Northgate election since 2015.",
        "Gareth Lomax": "Gareth Lomax is a retired geography teacher who has written a "
                        "fortnightly column for the Gazette since 2011.",
        "Sunita Rao": "Sunita Rao reports on health, housing and planning across the borough.",
        "Callum Hendry": "Callum Hendry covers business and heritage stories for the Gazette.",
        "Rhiannon Vale": "Rhiannon Vale is a youth worker and occasional Gazette contributor "
                         "who grew up near the harbour.",
        "Harriet Voss": "Harriet Voss reports on environment and infrastructure for the "
                        "Regional News Service.",
        "Gazette Newsdesk": "Short updates from the Gazette newsdesk, checked and published "
                            "around the clock.",
    },
    "comments": [
        ("Maureen Tate", "Lived here all my life and I have never seen the council move this "
                         "quickly on anything. Long may it continue."),
        ("harbourside_phil", "Who exactly is paying for all of this? Nobody ever answers that "
                             "question properly."),
        ("Dr A. Singh", "A fair and balanced piece. It would be helpful to see the council’s "
                        "own figures published in full."),
        ("Lorna", "My husband and I went along on Saturday and it was lovely to see so many "
                  "familiar faces."),
        ("Trevor Oakes", "Same old story in Northgate. Talk first, think later."),
        ("K. Mbeki", "Thanks to the Gazette for keeping an eye on all this when the nationals "
                     "never bother with us."),
        ("Sam W", "Can the Gazette find out when the next public meeting is? The council website "
                  "is impossible to use."),
    ],
    "recent_title": "Recent Posts",
    "most_read_title": "Most Read",
}

NORTHGATE_ARTICLES = [
    {
        "section_slug": "news",
        "slug": "holloway-wins-harbour-ward-by-election",
        "post_id": 2104,
        "title": "Independent Mara Holloway wins Harbour ward by-election",
        "author": "Eleanor Pryce",
        "section": "News",
        "tags": ["Elections", "Northgate Borough Council", "Harbour Ward"],
        "published": "2026-11-20T02:10:00",
        "modified": "2026-11-20T09:25:00",
        "related_style": "yarpp",
        "related": ["quayside-green-car-park-is-the-wrong-answer",
                    "tram-depot-homes-consultation-opens",
                    "hospital-parking-charges-scrapped-for-staff",
                    "in-defence-of-the-last-bus-from-the-harbour"],
        "body": [
            ("p", "Independent candidate Mara Holloway has won the Harbour ward by-election on "
                  "Northgate Borough Council, taking 1,482 votes and a majority of 311 over Peter "
                  "Quayle of the Civic Alliance. Turnout was 34 per cent, higher than at the last "
                  "two by-elections in the borough, and the count at the Civic Hall finished "
                  "shortly after one o’clock on Friday morning."),
            ("p", "The seat fell vacant in September when the long-serving Civic Alliance "
                  "councillor Bernard Shaw-Fielding stepped down for health reasons. Holloway, a "
                  "former harbour master who campaigned almost entirely against the council’s "
                  "plan to build a multi-storey car park on Quayside Green, becomes the fourth "
                  "independent on the 36-seat council, where no party holds an overall "
                  "majority."),
            ("h2", "The full result"),
            ("ul", [
                "Mara Holloway (Independent): 1,482",
                "Peter Quayle (Civic Alliance): 1,171",
                "Jo Fenwick (Progress Party): 604",
                "Dev Anand (Green Coalition): 388",
                "Rejected ballots: 22",
            ]),
            ("p", "In a short speech after the declaration, Holloway thanked volunteers who had "
                  "delivered leaflets “in weather that would have kept a fishing fleet in port” "
                  "and said she would ask for the car park decision to be brought back to the "
                  "full council. Her opponents congratulated her, although Quayle said the result "
                  "reflected “one issue, not a mandate”."),
            ("quote", "People in this ward have been told for two years that the decision about "
                      "the green has already been made. Tonight they made a decision of their "
                      "own, and I intend to make sure the council hears it.",
             "Mara Holloway"),
            ("p", "Council leader Alan Fairweather of the Civic Alliance said his group would "
                  "“respect the result and work with the new member”, but made clear that he did "
                  "not expect the car park plan to be reversed. The scheme, which would provide "
                  "420 spaces near the ferry terminal, was approved by the planning committee in "
                  "June and is due to go out to tender in January."),
            ("p", "The result will make it harder for the ruling coalition to pass its budget in "
                  "February. The Civic Alliance and the Progress Party together hold 17 seats, two "
                  "short of a majority, and will need the support of independents or the Green "
                  "Coalition to approve spending plans. Full results for every ward are on the "
                  "<a href=\"https://www.example.org/northgate-elections/results\" "
                  "onclick=\"ga('send','event','outbound','results');\">council’s elections "
                  "page</a>."),
        ],
    },
    {
        "section_slug": "opinion",
        "slug": "quayside-green-car-park-is-the-wrong-answer",
        "post_id": 2108,
        "title": "The Quayside Green car park is the wrong answer to the right question",
        "author": "Gareth Lomax",
        "section": "Opinion",
        "tags": ["Quayside Green", "Parking", "Columnists"],
        "published": "2026-11-23T07:00:00",
        "modified": "2026-11-23T07:00:00",
        "related_style": "crp",
        "related": ["holloway-wins-harbour-ward-by-election",
                    "in-defence-of-the-last-bus-from-the-harbour",
                    "market-hall-reopens-after-restoration"],
        "body": [
            ("p", "I have parked near the ferry terminal on a summer Saturday, and I know how it "
                  "feels to circle the harbour three times while the boat you meant to catch "
                  "pulls away. So let me say at the start that I do not think the people who want "
                  "a new car park are foolish. The problem they describe is real. I simply think "
                  "the council’s answer to it is wrong."),
            ("p", "Quayside Green is the last open grass between the harbour and the old town. It "
                  "is where the Christmas market sets up, where children learn to ride bikes, and "
                  "where half of Northgate seems to eat chips on the first warm evening of the "
                  "year. Covering it with a five-storey concrete block for 420 cars would remove "
                  "something that cannot be put back once it is gone."),
            ("h2", "The numbers do not add up"),
            ("p", "The council’s own traffic study, published in the spring, found that the "
                  "existing car parks near the harbour are more than 90 per cent full on only "
                  "about thirty days a year, almost all of them in July and August. For the other "
                  "eleven months, the town has plenty of spaces. We are being asked to give up the "
                  "green permanently to solve a problem that lasts a few summer weekends."),
            ("p", "There are cheaper ways to deal with those weekends. A park-and-ride from the "
                  "rugby club, which already has 300 empty spaces on Saturdays, would cost a "
                  "fraction of the estimated $14 million for the new building. Better buses to "
                  "the ferry, and a booking system for summer sailings, would do more to ease "
                  "congestion than any number of new spaces close to the water."),
            ("p", "I also worry about what the decision says about how this council listens. More "
                  "than 3,000 people signed the petition to save the green. The planning "
                  "committee heard from eleven speakers against the scheme and two in favour, and "
                  "approved it anyway in a meeting that lasted less than an hour. Last week’s "
                  "<a href=\"/news/holloway-wins-harbour-ward-by-election/\">by-election result "
                  "in Harbour ward</a> should make councillors think again."),
            ("p", "None of this means doing nothing. It means trying the cheap, reversible options "
                  "first and building something permanent only if they fail. If the park-and-ride "
                  "is empty next August, I will happily write a column admitting I was wrong. But "
                  "if the green is paved over and the car park sits half-empty for most of the "
                  "year, no column will be able to undo it."),
        ],
    },
    {
        "section_slug": "news",
        "slug": "flood-defence-fund-awards-14-towns",
        "post_id": 2103,
        "title": WIRE_TITLE,
        "author": "Harriet Voss",
        "section": "News",
        "tags": ["Flooding", "Harbour", "Regional News Service"],
        "published": "2026-11-19T08:05:00",
        "modified": "2026-11-19T08:05:00",
        "related_style": "yarpp",
        "related": ["tram-depot-homes-consultation-opens",
                    "holloway-wins-harbour-ward-by-election"],
        "body": WIRE_BODY,
        "wire": True,
    },
    {
        "section_slug": "news",
        "slug": "tram-depot-homes-consultation-opens",
        "post_id": 2102,
        "title": "Consultation opens on plans for 260 homes at the old tram depot",
        "author": "Sunita Rao",
        "section": "News",
        "tags": ["Planning", "Housing", "Foundry Road"],
        "published": "2026-11-17T11:30:00",
        "modified": "2026-11-18T10:00:00",
        "related_style": "yarpp",
        "related": ["market-hall-reopens-after-restoration", "flood-defence-fund-awards-14-towns",
                    "quayside-green-car-park-is-the-wrong-answer"],
        "body": [
            ("p", "Residents have until January 15 to comment on plans to build 260 homes, a "
                  "health centre and a small park on the site of Northgate’s old tram depot, "
                  "which was used as a bus garage after the last trams were withdrawn in 1961 and "
                  "has stood empty since 2014. The developer, Carrick Homes, says a third of the "
                  "homes would be offered at below-market rents."),
            ("p", "The brick depot building on Foundry Road, with its distinctive arched doorways, "
                  "would be kept and converted into the health centre and a café, while the bus "
                  "yard behind it would be cleared for a mix of terraced houses and four-storey "
                  "apartment blocks. The scheme also includes a cycle path linking Foundry Road "
                  "to the railway station."),
            ("figure", "tram-depot.jpg",
             "The arched doorways of the former tram depot on Foundry Road",
             "The former tram depot on Foundry Road has been empty since 2014. "
             "(Photo: Northgate Gazette)"),
            ("p", "Neighbours have raised concerns about traffic and the height of the apartment "
                  "buildings, which would overlook the back gardens of houses on Alma Street. "
                  "“Nobody is against homes being built there, but four storeys right against our "
                  "fences is too much,” said Kath Drummond, who chairs the Alma Street residents’ "
                  "association and has lived on the street since 1988."),
            ("p", "Carrick Homes project director Simon Adeyemi said the company had already "
                  "lowered the tallest blocks from six storeys to four after early meetings with "
                  "residents, and would consider further changes. “We want this to feel like part "
                  "of the neighbourhood, not something dropped into it,” he said. The developer "
                  "will hold drop-in sessions at the depot on three Saturdays in December."),
            ("p", "The borough’s housing waiting list has grown to more than 2,400 households, and "
                  "the council has identified the depot as one of five sites that could together "
                  "provide around 900 new homes over the next decade, including the land around "
                  "the <a href=\"/news/market-hall-reopens-after-restoration/\">newly restored "
                  "market hall</a>. A decision on the application is expected in the spring."),
        ],
    },
    {
        "section_slug": "opinion",
        "slug": "in-defence-of-the-last-bus-from-the-harbour",
        "post_id": 2106,
        "title": "In defence of the last bus from the harbour",
        "author": "Rhiannon Vale",
        "section": "Opinion",
        "tags": ["Buses", "Night-time economy", "Columnists"],
        "published": "2026-11-21T08:00:00",
        "modified": "2026-11-21T08:00:00",
        "related_style": "yarpp",
        "related": ["hospital-parking-charges-scrapped-for-staff",
                    "quayside-green-car-park-is-the-wrong-answer",
                    "holloway-wins-harbour-ward-by-election"],
        "body": [
            ("p", "For most of my twenties, the last bus from the harbour was how I got home. It "
                  "left at ten past one, it smelled faintly of vinegar, and it was usually full of "
                  "people who had just finished shifts in kitchens, bars and the ferry terminal. "
                  "Now the regional transport authority wants to cut it, and I think that would "
                  "be a quiet but serious mistake."),
            ("p", "The authority says the N1 carries an average of only 23 passengers a night and "
                  "costs around $190,000 a year to run. I do not doubt the figures. But counting "
                  "passengers tells you how many people use a bus, not what happens to them "
                  "without it. For a cleaner finishing at midnight, the alternative is a taxi fare "
                  "that can swallow half a night’s wages."),
            ("p", "The people who rely on late buses are not usually the people who fill in "
                  "consultation forms. They are asleep when the public meetings happen, or they "
                  "are working. That is why I would urge anyone who has ever taken the N1, or "
                  "whose son or daughter has, to respond to the consultation before it closes on "
                  "December 12, even if it is only a sentence or two."),
            ("p", "There are ways to make the service cheaper without losing it. The authority "
                  "could run a smaller vehicle after midnight, or combine the N1 with the "
                  "hospital route, which would also help night-shift staff at "
                  "<a href=\"/news/hospital-parking-charges-scrapped-for-staff/\">Northgate "
                  "General</a>. What it should not do is remove the only safe, affordable way home "
                  "for hundreds of people a week and call it an efficiency."),
            ("p", "Buses are not only about the busiest hour. They are also a promise that a town "
                  "works for the people who keep it running while everyone else is asleep. I "
                  "would rather pay a little more in fares, and I suspect most people in Northgate "
                  "would too, than see that promise quietly broken by a line in a spreadsheet."),
        ],
    },
    {
        "section_slug": "news",
        "slug": "market-hall-reopens-after-restoration",
        "post_id": 2101,
        "title": "Victorian market hall reopens after two-year restoration",
        "author": "Callum Hendry",
        "section": "News",
        "tags": ["Market Hall", "Heritage", "Business"],
        "published": "2026-11-14T15:30:00",
        "modified": "2026-11-15T10:12:00",
        "related_style": "crp",
        "related": ["tram-depot-homes-consultation-opens",
                    "quayside-green-car-park-is-the-wrong-answer",
                    "holloway-wins-harbour-ward-by-election"],
        "body": [
            ("p", "Northgate’s Victorian market hall reopened on Saturday after a two-year "
                  "restoration that repaired its cast-iron roof, replaced more than 4,000 panes "
                  "of glass and brought 38 traders back under one roof. Hundreds of people queued "
                  "along Bridge Street before the doors opened at nine, and several stalls had "
                  "sold out of their first batches of bread and pies by mid-morning."),
            ("p", "The $7.2 million project was paid for by the council, a national heritage grant "
                  "and a contribution from the traders themselves, who agreed to a modest rise in "
                  "rents in exchange for longer leases. The hall had been closed since a section "
                  "of guttering fell onto an empty stall during a storm in the winter of 2024, "
                  "prompting a full structural survey."),
            ("p", "Restoration architects found that much of the original ironwork, cast in a "
                  "Northgate foundry in 1874, could be repaired rather than replaced. Workers also "
                  "uncovered a painted sign advertising “Fresh Fish Daily” on a brick wall hidden "
                  "behind later panelling. The sign has been cleaned and left on display above the "
                  "fishmonger’s counter, close to where it was first painted."),
            ("p", "Trader Yusuf Demir, who has run a fruit and vegetable stall in the hall for 22 "
                  "years and spent the restoration working from a temporary pitch in the car "
                  "park, said the wait had been worth it. “The light in here now is beautiful,” he "
                  "said. “People are looking up at the roof instead of at the prices, which is "
                  "fine by me.”"),
            ("p", "The council plans to open the hall on Sunday mornings from the spring and is "
                  "looking for operators for two empty units near the main entrance. Evening "
                  "events, including a monthly food market, are also under discussion. For now "
                  "the hall is open from 8am to 5pm, Monday to Saturday, with late opening until "
                  "8pm on Thursdays."),
        ],
    },
    {
        "section_slug": "news",
        "slug": "hospital-parking-charges-scrapped-for-staff",
        "post_id": 2100,
        "title": "Northgate General scraps parking charges for hospital staff",
        "author": "Sunita Rao",
        "section": "News",
        "tags": ["Health", "Parking", "Northgate General Hospital"],
        "published": "2026-11-12T09:40:00",
        "modified": "2026-11-12T09:40:00",
        "related_style": "yarpp",
        "related": ["in-defence-of-the-last-bus-from-the-harbour",
                    "holloway-wins-harbour-ward-by-election",
                    "tram-depot-homes-consultation-opens"],
        "body": [
            ("p", "Staff at Northgate General Hospital will no longer pay to park at work from "
                  "January 1, after the hospital trust agreed to scrap charges that nurses and "
                  "porters said were costing some of them more than $60 a month. The decision "
                  "follows a petition signed by more than 1,100 employees and a campaign by the "
                  "hospital’s staff council that began in the summer."),
            ("p", "Trust chief executive Helen Marchetti said the change would cost about $420,000 "
                  "a year in lost income, which would be partly offset by renting unused spaces to "
                  "a nearby college in the evenings. “We ask a great deal of our staff, and we "
                  "heard clearly that parking charges felt like a tax on turning up to work,” she "
                  "told a trust board meeting on Wednesday."),
            ("p", "Night-shift workers had been among the most vocal critics of the charges, "
                  "because buses to the hospital stop running before many of their shifts begin. "
                  "Staff council chair Owen Trevithick, a theatre nurse, said some colleagues had "
                  "been sleeping in their cars between back-to-back shifts to avoid paying for "
                  "two days of parking within a single twenty-four hours."),
            ("p", "Patients and visitors will still pay, although the trust has extended free "
                  "parking for people attending regular appointments such as dialysis and "
                  "chemotherapy, and for parents of children staying on the wards. A review of "
                  "visitor charges is expected next year. The hospital has about 1,300 spaces for "
                  "a workforce of roughly 3,600 people across three shifts."),
            ("p", "The borough council welcomed the decision but said parking was only part of the "
                  "problem. Councillor Anita Sowerby, who chairs the health scrutiny committee, "
                  "said she would ask the regional transport authority to look again at evening "
                  "bus routes to the hospital, which were cut back during a funding review three "
                  "years ago and have not been restored."),
        ],
    },
]

# Two sentences, under 40 words: a crawler should drop it as too short.
NORTHGATE_BRIEF = {
    "section_slug": "news",
    "slug": "gritting-lorries-on-standby",
    "post_id": 2107,
    "title": "Gritting lorries on standby as frost forecast",
    "author": "Gazette Newsdesk",
    "section": "News",
    "tags": ["Weather", "Roads"],
    "published": "2026-11-22T10:20:00",
    "modified": "2026-11-22T10:20:00",
    "related_style": "yarpp",
    "related": ["flood-defence-fund-awards-14-towns", "hospital-parking-charges-scrapped-for-staff"],
    "body": [
        ("p", "Northgate Borough Council’s six gritting lorries will treat main roads from 8pm on "
              "Sunday as temperatures are expected to fall below freezing. Residents can check "
              "the gritting routes on the council website."),
    ],
}

# A complete article page under /private/, which robots.txt disallows.
NORTHGATE_PRIVATE = {
    "section_slug": "private",
    "slug": "draft-budget-leak",
    "post_id": 2109,
    "title": "Council weighs library closures in draft budget options paper",
    "author": "Eleanor Pryce",
    "section": "News",
    "tags": ["Budget", "Northgate Borough Council", "Libraries"],
    "published": "2026-11-22T17:00:00",
    "modified": "2026-11-22T17:00:00",
    "related_style": "yarpp",
    "related": ["holloway-wins-harbour-ward-by-election", "tram-depot-homes-consultation-opens"],
    "body": [
        ("p", "Northgate Borough Council is considering closing two of its six branch libraries, "
              "raising harbour parking charges by a quarter and ending free garden waste "
              "collections as it tries to close a budget gap of $6.4 million next year, according "
              "to a draft options paper seen by the Gazette. The paper has not yet been discussed "
              "by councillors."),
        ("p", "The document, prepared by the council’s finance department, sets out eighteen "
              "possible savings ranked by how much money they would raise and how quickly. The "
              "largest, a reorganisation of adult social care services, would save an estimated "
              "$1.9 million but would take at least eighteen months to put into effect and would "
              "require a public consultation."),
        ("p", "The two libraries named in the paper are the branches at Carrow Road and "
              "Saltmarsh, which together recorded fewer than 30,000 visits last year. The paper "
              "suggests that both could be replaced by a mobile library visiting each area twice "
              "a week, and that the buildings could be sold or leased to community groups."),
        ("p", "A council spokesperson said the paper was one of several early drafts and that no "
              "decisions had been taken. “Officers are required to set out every option, "
              "including ones that councillors are very unlikely to support,” the spokesperson "
              "said. Final budget proposals are due in January, before a vote of the full council "
              "in February."),
        ("p", "Opposition councillors said the paper showed the scale of the choices ahead. Green "
              "Coalition councillor Ruth Abernethy said residents deserved to see the full list "
              "before the draft budget was published, not afterwards. “If these options are on "
              "the table, people should be allowed to argue about them now,” she said."),
    ],
}

NORTHGATE_ABOUT = [
    "The Northgate Gazette has reported on the borough and its harbour since 1871. We are an "
    "independent, reader-funded newsroom of nine journalists based above the old post office "
    "on Bridge Street.",
    "We publish local news every day, a weekly print edition on Thursdays, and columns from "
    "residents who disagree with each other, and sometimes with us.",
    "Story tips, corrections and complaints are always welcome at the front desk or through "
    "our contact page.",
]

# Tag archive pages that exist on the Gazette (other tag links may 404).
NORTHGATE_TAG_PAGES = ["Elections", "Quayside Green", "Planning"]
