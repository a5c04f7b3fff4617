"""Each post keeps its public JSON document; fill it for the posts already in the read model."""

from django.db import migrations, models


def fill_documents(apps, schema_editor):
    from micro.query.services import post_document_build

    posts = apps.get_model("query", "Post").objects
    comments = apps.get_model("query", "Comment").objects
    for post_id in posts.filter(deleted=False).values_list("post_id", flat=True):
        document = post_document_build(post_id=post_id, posts=posts, comments=comments)
        posts.filter(pk=post_id).update(document=document)


class Migration(migrations.Migration):
    dependencies = [
        ("query", "0002_delete_catchup"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="document",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
    ]
