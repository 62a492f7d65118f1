"""The species dictionary and the regulation's fee rates (Dz.U. 2017 poz. 1330).

Groups and thresholds follow ../shared/docs/domain.md; the regulation's annex lists every
genus and species and these rows are only a part of it, so administrators complete them.
The 10 zł shrub group is the regulation's short list of named invasive species (seeded
with the rest of it by migration 0007)."""
from decimal import Decimal

from django.db import migrations

# latin, Polish, English, tree, shrub, fee group, shrub group, threshold at 5 cm [cm]
SPECIES = [
    ("Populus", "topola", "poplar", True, False, "A", "other", 80),
    ("Salix", "wierzba", "willow", True, True, "A", "other", 80),
    ("Acer negundo", "klon jesionolistny", "box-elder", True, False, "A", "other", 80),
    ("Acer saccharinum", "klon srebrzysty", "silver maple", True, False, "A", "other", 80),
    ("Aesculus hippocastanum", "kasztanowiec zwyczajny", "horse chestnut", True, False, "A",
     "other", 65),
    ("Robinia pseudoacacia", "robinia akacjowa", "black locust", True, False, "A", "other", 65),
    ("Platanus × hispanica", "platan klonolistny", "London plane", True, False, "A", "other",
     65),
    ("Betula", "brzoza", "birch", True, False, "B", "other", 50),
    ("Pinus", "sosna", "pine", True, False, "B", "other", 50),
    ("Picea", "świerk", "spruce", True, False, "B", "other", 50),
    ("Tilia", "lipa", "lime", True, False, "B", "other", 50),
    ("Fraxinus", "jesion", "ash", True, False, "B", "other", 50),
    ("Larix", "modrzew", "larch", True, False, "B", "other", 50),
    ("Alnus", "olsza", "alder", True, False, "B", "other", 50),
    ("Acer platanoides", "klon zwyczajny", "Norway maple", True, False, "B", "other", 50),
    ("Acer pseudoplatanus", "klon jawor", "sycamore", True, False, "B", "other", 50),
    ("Ulmus", "wiąz", "elm", True, False, "B", "other", 50),
    ("Quercus rubra", "dąb czerwony", "red oak", True, False, "B", "other", 50),
    ("Fagus sylvatica", "buk zwyczajny", "beech", True, False, "C", "other", 50),
    ("Quercus robur", "dąb szypułkowy", "pedunculate oak", True, False, "C", "other", 50),
    ("Quercus petraea", "dąb bezszypułkowy", "sessile oak", True, False, "C", "other", 50),
    ("Carpinus betulus", "grab pospolity", "hornbeam", True, False, "C", "other", 50),
    ("Pyrus", "grusza", "pear", True, False, "C", "other", 50),
    ("Malus", "jabłoń", "apple", True, False, "C", "other", 50),
    ("Acer campestre", "klon polny", "field maple", True, True, "C", "other", 50),
    ("Taxus baccata", "cis pospolity", "yew", True, True, "D", "other", 50),
    ("Ginkgo biloba", "miłorząb dwuklapowy", "ginkgo", True, False, "D", "other", 50),
    ("Rosa rugosa", "róża pomarszczona", "Japanese rose", False, True, "D", "invasive", 50),
    ("Amorpha fruticosa", "amorfa krzewiasta", "desert false indigo", False, True, "D",
     "other", 50),
    ("Syringa vulgaris", "lilak pospolity", "lilac", False, True, "D", "other", 50),
    ("Corylus avellana", "leszczyna pospolita", "hazel", False, True, "D", "other", 50),
    ("Ligustrum vulgare", "ligustr pospolity", "privet", False, True, "D", "other", 50),
    ("Forsythia", "forsycja", "forsythia", False, True, "D", "other", 50),
]

SOURCE = "Dz.U. 2017 poz. 1330"
# subject, group, band from, rate [zł per cm or per m²]
RATES = [
    ("tree", "A", 0, "12"), ("tree", "A", 101, "15"),
    ("tree", "B", 0, "25"), ("tree", "B", 101, "30"),
    ("tree", "C", 0, "55"), ("tree", "C", 101, "70"),
    ("tree", "D", 0, "170"), ("tree", "D", 101, "210"),
    ("shrub", "invasive", 0, "10"),
    ("shrub", "other", 0, "40"), ("shrub", "other", 101, "50"),
]


def seed(apps, schema_editor):
    Species = apps.get_model("permits", "Species")
    FeeRate = apps.get_model("permits", "FeeRate")
    for latin, pl, en, tree, shrub, group, shrub_group, threshold in SPECIES:
        Species.objects.update_or_create(latin_name=latin, defaults=dict(
            name_pl=pl, name_en=en, is_tree=tree, is_shrub=shrub, fee_group=group,
            shrub_group=shrub_group, notification_threshold_cm=threshold))
    for subject, group, band, rate in RATES:
        FeeRate.objects.update_or_create(unit=None, subject=subject, group=group,
                                         band_from=band,
                                         defaults={"rate": Decimal(rate), "source": SOURCE})


def unseed(apps, schema_editor):
    apps.get_model("permits", "FeeRate").objects.filter(unit=None).delete()


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
