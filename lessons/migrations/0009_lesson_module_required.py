"""Every lesson now belongs to a module (0008 filled it in; a separate migration, because
PostgreSQL refuses to alter a table with the data migration's row changes still pending)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lessons", "0008_modules")]

    operations = [
        migrations.AlterField(
            model_name="lesson",
            name="module",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="lessons", to="lessons.module"
            ),
        ),
        migrations.AlterField(
            model_name="lesson",
            name="order",
            field=models.PositiveIntegerField(verbose_name="order in the module"),
        ),
        migrations.AddConstraint(
            model_name="lesson",
            constraint=models.UniqueConstraint(fields=("module", "order"), name="one_lesson_per_module_order"),
        ),
    ]
