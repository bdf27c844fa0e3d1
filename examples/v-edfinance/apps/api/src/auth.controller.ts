import { Body, Controller, Get, Headers, HttpCode, Inject, Post, UnauthorizedException } from "@nestjs/common";
import jwt from "jsonwebtoken";
import type { Pool } from "pg";
import { POOL } from "./db";
import { verifyPassword } from "./passwords";

interface LoginBody {
  email?: string;
  password?: string;
}

function secret(): string {
  const value = process.env.JWT_SECRET;
  if (!value || value.length < 32) {
    throw new Error("JWT_SECRET must be set (32+ characters)");
  }
  return value;
}

@Controller("auth")
export class AuthController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  /** Email + password → a JWT signed with JWT_SECRET (HS256, 15 minutes). */
  @Post("login")
  @HttpCode(200)
  async login(@Body() body: LoginBody): Promise<{ access_token: string }> {
    if (!body.email || !body.password) {
      throw new UnauthorizedException("email and password are required");
    }
    const { rows } = await this.pool.query<{ id: number; password_hash: string }>(
      "SELECT id, password_hash FROM users WHERE email = $1",
      [body.email],
    );
    const user = rows[0];
    if (!user || !verifyPassword(body.password, user.password_hash)) {
      throw new UnauthorizedException("wrong email or password");
    }
    const token = jwt.sign({ sub: String(user.id), email: body.email }, secret(), {
      algorithm: "HS256",
      expiresIn: "15m",
    });
    return { access_token: token };
  }

  /** Who the bearer token says you are. */
  @Get("me")
  me(@Headers("authorization") authorization?: string): { id: string; email: string } {
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    try {
      const claims = jwt.verify(token, secret(), { algorithms: ["HS256"] }) as jwt.JwtPayload;
      return { id: String(claims.sub), email: String(claims.email) };
    } catch {
      throw new UnauthorizedException("invalid token");
    }
  }
}
