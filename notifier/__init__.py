"""Telegram: the bot (bot.py), who gets what (routing.py), messages (render.py, i18n.py,
keyboards.py), draw types (drawtypes.py) and the delivery loop (delivery.py)."""
