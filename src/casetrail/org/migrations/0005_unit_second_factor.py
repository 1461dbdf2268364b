from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_token_expiry_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="second_factor_required",
            field=models.BooleanField(default=True, verbose_name="Second factor required"),
        ),
    ]
