"""Money is integer pence everywhere; this is how it is written for residents."""


def format_pence(pence: int) -> str:
    """2500 -> '£25', 1250 -> '£12.50', 123456 -> '£1,234.56' (GOV.UK style: no '.00');
    a discount, -613 -> '-£6.13'."""
    sign = "-" if int(pence) < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}" if rest == 0 else f"{sign}£{pounds:,}.{rest:02d}"
