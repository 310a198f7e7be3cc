"""The tutorial's app ("OAuth2 with Password, Bearer with JWT tokens"),
written here for the HTTP benchmark only: POST /token and GET /users/me
with the same demo user, bcrypt hash and HS256 secret as latchkey, so a
token from either server is accepted by the other.

The secret comes from the environment variable LATCHKEY_SECRET_KEY, as
for latchkey. Run: uvicorn --app-dir bench fastapi_app:app
"""
import os
from datetime import datetime, timedelta, timezone
from typing import Optional

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import BaseModel

SECRET = os.environ["LATCHKEY_SECRET_KEY"]
ALG = "HS256"
TOKEN_MINUTES = 30

USERS = {
    "janedoe": {
        "username": "janedoe",
        "full_name": "Jane Doe",
        "email": "janedoe@example.com",
        "hashed_password":
            "$2a$12$KplebFTPwFcgGQosJgI4De0PyB2AoRCSxasxHpFoYZPp6uQV/xLzm",
        "disabled": False,
    },
}


class Token(BaseModel):
    access_token: str
    token_type: str


class User(BaseModel):
    username: str
    email: Optional[str] = None
    full_name: Optional[str] = None
    disabled: Optional[bool] = None


class StoredUser(User):
    hashed_password: str


hasher = CryptContext(schemes=["bcrypt"], deprecated="auto")
bearer = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


def find_user(name: str) -> Optional[StoredUser]:
    """The stored record of a user, or None."""
    rec = USERS.get(name)
    return StoredUser(**rec) if rec else None


def check_login(name: str, password: str) -> Optional[StoredUser]:
    """The user when the password matches its stored hash."""
    user = find_user(name)
    if user is None or not hasher.verify(password, user.hashed_password):
        return None
    return user


def credentials_error() -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                         detail="Could not validate credentials",
                         headers={"WWW-Authenticate": "Bearer"})


async def current_user(token: str = Depends(bearer)) -> User:
    """Decode the bearer token and load its subject."""
    try:
        claims = jwt.decode(token, SECRET, algorithms=[ALG])
    except jwt.InvalidTokenError:
        raise credentials_error()
    name = claims.get("sub")
    user = find_user(name) if isinstance(name, str) else None
    if user is None:
        raise credentials_error()
    if user.disabled:
        raise HTTPException(status_code=400, detail="Inactive user")
    return user


@app.post("/token", response_model=Token)
async def login(form: OAuth2PasswordRequestForm = Depends()):
    user = check_login(form.username, form.password)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="Incorrect username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    exp = datetime.now(timezone.utc) + timedelta(minutes=TOKEN_MINUTES)
    token = jwt.encode({"sub": user.username, "exp": exp}, SECRET,
                       algorithm=ALG)
    return Token(access_token=token, token_type="bearer")


@app.get("/users/me", response_model=User)
async def users_me(user: User = Depends(current_user)):
    return user
