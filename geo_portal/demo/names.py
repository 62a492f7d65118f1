"""Polish names and small lookup tables the demo generator draws from.

Everything here is data: the generator picks entries by hash, so editing a list
changes the demo town but never its shape. Tables marked "not confirmed" were written
from memory and are good enough for demo data only.
"""

MALE_FIRST_NAMES = (
    "Jan", "Andrzej", "Piotr", "Krzysztof", "Stanisław", "Tomasz", "Paweł", "Józef", "Marcin",
    "Marek", "Michał", "Grzegorz", "Jerzy", "Tadeusz", "Adam", "Łukasz", "Zbigniew", "Ryszard",
    "Dariusz", "Henryk", "Mariusz", "Kazimierz", "Wojciech", "Robert", "Mateusz", "Marian",
    "Rafał", "Jacek", "Janusz", "Mirosław", "Maciej", "Sławomir", "Jarosław", "Kamil",
    "Wiesław", "Roman", "Władysław", "Jakub", "Artur", "Zdzisław", "Edward", "Mieczysław",
    "Damian", "Dawid", "Przemysław", "Sebastian", "Czesław", "Leszek", "Daniel", "Waldemar",
    "Szymon", "Bartosz", "Bogdan", "Kacper", "Filip", "Antoni", "Wiktor", "Hubert", "Igor",
    "Oskar",
)

FEMALE_FIRST_NAMES = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Magdalena", "Joanna", "Zofia", "Aleksandra", "Monika", "Teresa", "Danuta",
    "Natalia", "Karolina", "Marta", "Beata", "Dorota", "Halina", "Jadwiga", "Janina", "Alicja",
    "Irena", "Grażyna", "Jolanta", "Iwona", "Bożena", "Urszula", "Justyna", "Renata", "Agata",
    "Paulina", "Helena", "Sylwia", "Hanna", "Wiesława", "Patrycja", "Stanisława", "Julia",
    "Weronika", "Zuzanna", "Wiktoria", "Maja", "Lena", "Oliwia", "Emilia", "Gabriela", "Kinga",
    "Edyta", "Lucyna", "Izabela", "Genowefa", "Bogumiła", "Wanda", "Kamila", "Ewelina",
    "Michalina",
)

# Masculine forms; feminine_surname() derives the wife's form.
SURNAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając",
    "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski",
    "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski", "Adamczyk", "Dudek", "Nowicki",
    "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran", "Rutkowski", "Michalak",
    "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski", "Wróblewski", "Marciniak",
    "Jasiński", "Zawadzki", "Bąk", "Jakubowski", "Sadowski", "Duda", "Włodarczyk", "Wilk",
    "Chmielewski", "Borkowski", "Sokołowski", "Szczepański", "Sawicki", "Lis", "Kucharski",
    "Kalinowski", "Wysocki", "Mazurek", "Kubiak", "Maciejewski", "Czarnecki", "Kołodziej",
    "Urbański", "Kaźmierczak", "Sobczak", "Konieczny", "Głowacki", "Zakrzewski", "Krupa",
    "Wasilewski", "Krajewski", "Adamski", "Sikorski", "Mróz", "Laskowski", "Ziółkowski",
    "Gajewski", "Szulc", "Makowski", "Baranowski", "Kaczmarczyk", "Przybylski", "Domański",
    "Nowacki", "Borowski", "Błaszczyk", "Chojnacki", "Ciesielski", "Kubacki", "Leśniak",
    "Gołębiowski", "Orłowski", "Kowal", "Cieślak", "Kaczor", "Kurek", "Banaś", "Polak",
)

STREETS = (
    "Lipowa", "Polna", "Leśna", "Słoneczna", "Krótka", "Szkolna", "Ogrodowa", "Parkowa",
    "Kwiatowa", "Długa", "Łąkowa", "Kościelna", "Sportowa", "Spacerowa", "Wiejska", "Brzozowa",
    "Klonowa", "Akacjowa", "Jesionowa", "Dębowa", "Bukowa", "Wierzbowa", "Topolowa",
    "Kasztanowa", "Jarzębinowa", "Różana", "Tulipanowa", "Konwaliowa", "Jaśminowa", "Zielona",
    "Cicha", "Spokojna", "Jasna", "Wesoła", "Miła", "Piękna", "Graniczna", "Boczna", "Kolejowa",
    "Dworcowa", "Przemysłowa", "Fabryczna", "Rzemieślnicza", "Handlowa", "Kupiecka", "Targowa",
    "Młyńska", "Rzeczna", "Wodna", "Nadbrzeżna", "Mostowa", "Zamkowa", "Rycerska",
    "Bolesława Chrobrego", "Piastowska", "Adama Mickiewicza", "Juliusza Słowackiego",
    "Mikołaja Kopernika", "Henryka Sienkiewicza", "Tadeusza Kościuszki", "Stefana Żeromskiego",
    "Bolesława Prusa", "Władysława Reymonta", "Marii Konopnickiej", "Elizy Orzeszkowej",
    "Fryderyka Chopina", "Stanisława Moniuszki", "Jana Matejki", "Stanisława Wyspiańskiego",
    "Cypriana Kamila Norwida", "Jana Kochanowskiego", "Stanisława Staszica", "Hugona Kołłątaja",
    "Romualda Traugutta", "Józefa Piłsudskiego", "gen. Władysława Sikorskiego",
    "gen. Władysława Andersa", "Jana Pawła II", "kard. Stefana Wyszyńskiego", "Armii Krajowej",
    "Grunwaldzka", "Wojska Polskiego", "3 Maja", "11 Listopada", "Niepodległości",
    "Powstańców Śląskich", "Solidarności", "Pocztowa", "Strażacka", "Lotnicza",
    "Żwirki i Wigury", "Harcerska", "Szpitalna", "Akademicka", "Studencka", "Wrocławska",
    "Złotoryjska", "Jaworzyńska", "Chojnowska", "Poznańska", "Gdańska", "Warszawska",
    "Krakowska", "Lubińska", "Głogowska", "Bolesławiecka", "Świdnicka", "Jeleniogórska",
    "Wałbrzyska", "Macieja Rataja", "Stefana Okrzei", "Mikołaja Reja", "Adama Asnyka",
    "Juliana Tuwima", "Władysława Broniewskiego", "Konstantego Ildefonsa Gałczyńskiego",
    "Zbigniewa Herberta", "Czesława Miłosza", "Wisławy Szymborskiej", "Jana Kasprowicza",
    "Aleksandra Fredry", "Joachima Lelewela", "Marii Skłodowskiej-Curie", "Kazimierza Pułaskiego",
    "Jarosława Dąbrowskiego", "Jana Kilińskiego", "Stefana Batorego", "Mieszka I",
    "Kazimierza Wielkiego", "Jagiellońska", "Jana III Sobieskiego", "Wiosenna", "Letnia",
    "Jesienna", "Zimowa", "Ptasia", "Sowia", "Orla", "Sokola", "Jastrzębia", "Słowicza",
    "Skowronkowa", "Bażantowa", "Myśliwska", "Łowiecka", "Rolnicza", "Ogrodnicza", "Sadowa",
    "Pszeniczna", "Żytnia", "Owsiana", "Makowa", "Chabrowa", "Rumiankowa", "Wrzosowa",
    "Paprociowa", "Malinowa", "Jagodowa", "Poziomkowa", "Wiśniowa", "Czereśniowa", "Śliwkowa",
    "Morelowa", "Gruszkowa",
)

# Town precincts are named after districts and numbered ("Piekary 3"), as many cities do.
DISTRICTS = (
    "Stare Miasto", "Śródmieście", "Zakaczawie", "Piekary", "Tarninów", "Zosinek", "Bielany",
    "Kartuszyn", "Przybków", "Czarnów", "Białe Sady", "Pątnów", "Nowe Miasto", "Dolny Dwór",
    "Przedmieście", "Zatorze", "Zamkowe", "Młyńskie", "Ogrody", "Sady", "Kamionka", "Brzeziny",
    "Podgórze", "Nadodrze", "Zalesie", "Wygoda", "Osiedle Kopernika", "Osiedle Asnyka",
)

VILLAGES = (
    "Bartoszów", "Bieniowice", "Biskupice", "Bogdanów", "Chróstnik", "Dobrzejów", "Dzierżkowice",
    "Gniewomierz", "Grzybiany", "Jaśkowice", "Kozice", "Koskowice", "Krotoszyce", "Kunice",
    "Lubień", "Mikołajowice", "Miłogostowice", "Nowa Wieś", "Ogonowice", "Pątnówek", "Piątnica",
    "Raczkowa", "Rosochata", "Ruja", "Rzeszotary", "Siedliska", "Spalona", "Szczytniki",
    "Taczalin", "Ulesie", "Warmątowice", "Wilczyce", "Winnica", "Wojcieszyce", "Ziemnice",
    "Żarków", "Brzezie", "Dąbrowa", "Górka", "Jabłonów", "Kamieniec", "Łąkowice", "Olszany",
    "Stawy", "Wola", "Zagrodno", "Gierałtowiec", "Grzymalin", "Księginice", "Kochlice",
    "Lisowice", "Rzeszówek", "Prochowice", "Kawice", "Golanka", "Mierczyce", "Dunino",
    "Strupice", "Kłębanowice", "Jakuszów", "Pawłowice Małe", "Bukowna", "Dobrzejowice",
    "Gołaczów", "Szymanowice", "Niedźwiedzice", "Sichów", "Kłodnica", "Pielgrzymka",
    "Jerzmanice", "Wądroże", "Białka", "Rokitki", "Modlikowice", "Józefów", "Stara Wieś",
    "Ludwikowice", "Gorzanowice", "Kościelec", "Kwiatkowice", "Hermanów", "Koiszków",
)

# Owner institutions per register group: (group, name template, REGON base digits).
# `{unit}` is the unit's name.
INSTITUTIONS = (
    ("gmina", 4, "Gmina {unit}"),
    ("state", 1, "Skarb Państwa – Państwowe Gospodarstwo Leśne Lasy Państwowe, "
                 "Nadleśnictwo {unit}"),
    ("coop1", 8, "Spółdzielnia Mieszkaniowa „Lokator” w {unit}"),
    ("coop2", 8, "Spółdzielnia Mieszkaniowa „Przyszłość”"),
    ("coop3", 8, "Robotnicza Spółdzielnia Mieszkaniowa „Zgoda”"),
    ("parish1", 9, "Parafia Rzymskokatolicka pw. św. Jacka"),
    ("parish2", 9, "Parafia Rzymskokatolicka pw. Najświętszego Serca Pana Jezusa"),
    ("parish3", 9, "Parafia Ewangelicko-Augsburska"),
    ("mpgk", 6, "Przedsiębiorstwo Gospodarki Komunalnej Sp. z o.o."),
    ("wodkan", 6, "Wodociągi i Kanalizacja Sp. z o.o."),
    ("tbs", 6, "Towarzystwo Budownictwa Społecznego Sp. z o.o."),
    ("poczta", 3, "Poczta Polska S.A."),
    ("pkp", 3, "PKP S.A."),
    ("amw", 3, "Agencja Mienia Wojskowego"),
)

VOIVODESHIPS = {
    "02": "województwo dolnośląskie", "04": "województwo kujawsko-pomorskie",
    "06": "województwo lubelskie", "08": "województwo lubuskie", "10": "województwo łódzkie",
    "12": "województwo małopolskie", "14": "województwo mazowieckie",
    "16": "województwo opolskie", "18": "województwo podkarpackie",
    "20": "województwo podlaskie", "22": "województwo pomorskie", "24": "województwo śląskie",
    "26": "województwo świętokrzyskie", "28": "województwo warmińsko-mazurskie",
    "30": "województwo wielkopolskie", "32": "województwo zachodniopomorskie",
}

# Default names for units the demo is usually run for.
UNIT_NAMES = {"026101_1": "Legnica"}

# Postcode (first two digits, first digit of the rest) by powiat, else by voivodeship
# (not confirmed).
POSTCODES = {
    "0261": ("59", 2), "02": ("58", 1), "04": ("87", 1), "06": ("20", 4), "08": ("66", 4),
    "10": ("95", 1), "12": ("32", 0), "14": ("05", 8), "16": ("46", 0), "18": ("36", 0),
    "20": ("16", 0), "22": ("83", 0), "24": ("43", 1), "26": ("26", 6), "28": ("11", 0),
    "30": ("62", 0), "32": ("72", 0),
}

# Land register (KW) court codes by powiat, else by voivodeship (not confirmed).
KW_COURTS = {
    "0261": "LE1L", "0209": "LE1L", "02": "WR1K", "04": "BY1B", "06": "LU1I", "08": "ZG1Z",
    "10": "LD1M", "12": "KR1P", "14": "WA1M", "16": "OP1O", "18": "RZ1Z", "20": "BI1B",
    "22": "GD1G", "24": "KA1K", "26": "KI1L", "28": "OL1O", "30": "PO1P", "32": "SZ1S",
}


def by_area(table: dict, teryt: str):
    """The entry for the unit's powiat (WWPP), else for its voivodeship (WW)."""
    return table.get(teryt[:4]) or table[teryt[:2]]


def feminine_surname(surname: str) -> str:
    """Kowalski -> Kowalska, Zawadzki -> Zawadzka; Nowak stays Nowak."""
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname
