"""API tokens lapse and may be read-only (issue 16). A token issued before this migration
never expired: it is given the default lifetime from its creation, so an old token still in a
script lapses like any other (already past it: at once)."""

from datetime import timedelta

from django.db import migrations, models

OLD_TOKENS_LIVE = timedelta(days=90)


def lapse_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + OLD_TOKENS_LIVE
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_token_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="Expires"),
        ),
        migrations.RunPython(lapse_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="Expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(default=False, verbose_name="Read-only"),
        ),
    ]
