# The identity app's first migration: empty, so single sign-on and second factors can each
# add their own models on top of it (0002_...).
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
