# Payments, insights and the address list moved to apps of their own (forms/payments,
# forms/insights, forms/places). Their tables keep their names and rows: this only takes the
# models out of the flows app's state; each new app's 0001 puts them back in its own.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0007_pending_emails"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="channelcosts",
                    name="site",
                ),
                migrations.RemoveField(
                    model_name="channelvolume",
                    name="service",
                ),
                migrations.RemoveField(
                    model_name="flowday",
                    name="flow",
                ),
                migrations.RemoveField(
                    model_name="flowerrorday",
                    name="flow",
                ),
                migrations.RemoveField(
                    model_name="flowevent",
                    name="flow",
                ),
                migrations.RemoveField(
                    model_name="flowstepday",
                    name="flow",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="submission",
                ),
                migrations.RemoveField(
                    model_name="paymentevent",
                    name="payment",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="payment",
                ),
                migrations.DeleteModel(
                    name="Property",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="satisfactionresponse",
                    name="flow",
                ),
                migrations.DeleteModel(
                    name="ChannelCosts",
                ),
                migrations.DeleteModel(
                    name="ChannelVolume",
                ),
                migrations.DeleteModel(
                    name="FlowDay",
                ),
                migrations.DeleteModel(
                    name="FlowErrorDay",
                ),
                migrations.DeleteModel(
                    name="FlowEvent",
                ),
                migrations.DeleteModel(
                    name="FlowStepDay",
                ),
                migrations.DeleteModel(
                    name="PaymentEvent",
                ),
                migrations.DeleteModel(
                    name="Payment",
                ),
                migrations.DeleteModel(
                    name="Refund",
                ),
                migrations.DeleteModel(
                    name="SatisfactionResponse",
                ),
            ],
            database_operations=[],
        ),
    ]
