"""Factories for the commitments app (kept here: tests/factories.py belongs to the shared core).

They write rows directly, for setting up data; tests of the rules go through services.py.
"""

import factory

from commitments.models import Commitment, CommitmentMaker, MakerCategory, MakerMembership
from tests.factories import UserFactory


class CommitmentMakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentMaker
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Maker {n}")
    category = MakerCategory.MEMBER_STATE
    country_code = "KAZ"
    country_name = "Kazakhstan"

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):  # noqa: N805 -- factory_boy hook signature
        if create and extracted:
            obj.leads.set(extracted)


class MakerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MakerMembership

    user = factory.SubFactory(UserFactory)
    maker = factory.SubFactory(CommitmentMakerFactory)
    role = MakerMembership.Role.EDITOR


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    maker = factory.SubFactory(CommitmentMakerFactory)
    title = factory.Sequence(lambda n: f"Commitment {n}")
    start_year = 2024
    end_year = 2025
    status = Commitment.Status.IN_PROGRESS
    types = factory.LazyFunction(lambda: ["policy"])

    @factory.post_generation
    def coalitions(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.coalitions.set(extracted)

    @factory.post_generation
    def compact_areas(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.compact_areas.set(extracted)
