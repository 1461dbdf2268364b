"""The offence catalogue loaded with the first migration: (code, kind, name, name_en)."""

OFFENCE_CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    ("CR-THEFT", "criminal", "盗窃", "theft"),
    ("CR-FRAUD", "criminal", "诈骗", "fraud"),
    ("CR-TELECOM-FRAUD", "criminal", "电信网络诈骗", "telecom and online fraud"),
    ("CR-ROBBERY", "criminal", "抢劫", "robbery"),
    ("CR-INJURY", "criminal", "故意伤害", "intentional injury"),
    ("CR-DRUGS", "criminal", "贩卖毒品", "drug trafficking"),
    ("CR-DANGEROUS-DRIVING", "criminal", "危险驾驶", "dangerous driving"),
    ("CR-AFFRAY", "criminal", "寻衅滋事", "picking quarrels and provoking trouble"),
    ("CR-EMBEZZLEMENT", "criminal", "职务侵占", "embezzlement by employees"),
    ("AD-ASSAULT", "administrative", "殴打他人", "assault (public security)"),
    ("AD-DISORDER", "administrative", "扰乱公共秩序", "disturbing public order"),
    ("AD-THEFT", "administrative", "盗窃（治安）", "petty theft (public security)"),
    ("AD-FRAUD", "administrative", "诈骗（治安）", "petty fraud (public security)"),
    ("AD-GAMBLING", "administrative", "赌博", "gambling"),
    ("AD-DAMAGE", "administrative", "故意损毁财物", "wilful damage to property"),
    ("AD-DRUG-USE", "administrative", "吸毒", "drug use"),
    ("AD-NOISE", "administrative", "制造噪声干扰他人", "noise disturbing others"),
)


def ensure_offence_catalogue() -> None:
    """Put the catalogue in place (idempotent): the data migration does it once, and this
    serves loaders and tests that start from a flushed database. Reference data, not a
    case record, so it writes no ledger entry."""
    from casetrail.cases.models import OffenceCategory

    for code, kind, name, name_en in OFFENCE_CATEGORIES:
        OffenceCategory.objects.update_or_create(
            code=code, defaults={"kind": kind, "name": name, "name_en": name_en}
        )
