"""Each uploaded file gets a number within its request, for the name the site gives it
('FCC-4K7Q-M2XD-1.pdf'). Files already stored are numbered in the order they were saved, so
they download under a site-made name too (their stored path is left as it is)."""

from django.db import migrations, models


def number_existing_files(apps, schema_editor):
    SubmissionFile = apps.get_model("flows", "SubmissionFile")
    numbers: dict[int, int] = {}
    for upload in SubmissionFile.objects.order_by("submission_id", "pk").only("submission_id"):
        numbers[upload.submission_id] = numbers.get(upload.submission_id, 0) + 1
        SubmissionFile.objects.filter(pk=upload.pk).update(number=numbers[upload.submission_id])


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0008_models_moved_to_their_apps"),
    ]

    operations = [
        migrations.AddField(
            model_name="submissionfile",
            name="number",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(number_existing_files, migrations.RunPython.noop),
    ]
