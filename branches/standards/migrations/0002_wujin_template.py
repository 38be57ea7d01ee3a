"""Loads the shipped checklist: seed 004's 《武进区党支部规范化建设考核细则》."""

from django.db import migrations


def load(apps, schema_editor):
    from branches.standards import rules
    from branches.standards.services import create_template_rows
    from branches.standards.templates_data import BUILTIN_TEMPLATES

    class Models:
        ChecklistTemplate = apps.get_model("standards", "ChecklistTemplate")
        TemplateSection = apps.get_model("standards", "TemplateSection")
        TemplateItem = apps.get_model("standards", "TemplateItem")
        TemplateVeto = apps.get_model("standards", "TemplateVeto")

    for data in BUILTIN_TEMPLATES:
        if Models.ChecklistTemplate.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        keys = {i.get("prefill") for s in data["sections"] for i in s["items"] if i.get("prefill")}
        parsed = rules.parse_template(data, known_prefills=keys)
        create_template_rows(parsed, source=data, county_id=None, loaded_by_id=None, models=Models)


def unload(apps, schema_editor):
    from branches.standards.templates_data import BUILTIN_TEMPLATES

    template = apps.get_model("standards", "ChecklistTemplate")
    for data in BUILTIN_TEMPLATES:
        template.objects.filter(code=data["code"], version=data["version"], rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
