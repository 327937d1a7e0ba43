from lindung.accounts.roles import ROLES


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    return {"user_roles": [ROLES[name] for name in sorted(user.role_names) if name in ROLES]}
