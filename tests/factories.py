import factory
from django.contrib.auth.models import User

from core.models import CountryTeam, Membership, Region, UNEntity

PASSWORD = "correct-horse-battery-staple"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "europe-central-asia"
    name = "Europe and Central Asia"


class CountryTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryTeam
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{n % 26 + 10:02d}"[:3].upper())
    name = factory.Sequence(lambda n: f"Country team {n}")
    region = factory.SubFactory(RegionFactory)
    cf_name = "UNSDCF 2021-2025"
    cf_start_year = 2021
    cf_end_year = 2025


class UNEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UNEntity
        django_get_or_create = ("acronym",)

    acronym = factory.Sequence(lambda n: f"ENT{n}")
    name = factory.LazyAttribute(lambda o: f"Entity {o.acronym}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 -- factory_boy hook signature
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    country_team = factory.SubFactory(CountryTeamFactory)
    role = Membership.Role.IAT_MEMBER
