from django.contrib import admin

from organisations.models import ClosurePeriod, Membership, Organisation


class ClosurePeriodInline(admin.TabularInline):
    model = ClosurePeriod
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "holiday_country"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    inlines = [ClosurePeriodInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "department", "is_active"]
    list_filter = ["organisation", "role", "is_active"]
    search_fields = ["user__email", "department"]
    raw_id_fields = ["user"]
