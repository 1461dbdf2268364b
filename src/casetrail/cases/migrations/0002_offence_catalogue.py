from django.db import migrations

from casetrail.cases.catalogue import OFFENCE_CATEGORIES


def load(apps, schema_editor):
    category = apps.get_model("cases", "OffenceCategory")
    for code, kind, name, name_en in OFFENCE_CATEGORIES:
        category.objects.update_or_create(
            code=code, defaults={"kind": kind, "name": name, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
