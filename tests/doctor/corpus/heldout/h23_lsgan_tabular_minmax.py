"""Tabular LSGAN: least-squares losses written by hand, MinMaxScaler to [-1, 1], BatchNorm in D."""
# expect: T01=pass T02=na T03=pass T04=pass T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=na G minimises 0.5 * mean((D(G(z)) - 1) ** 2), a least-squares loss
# reason: T01=pass tanh output and MinMaxScaler(feature_range=(-1, 1))
# reason: T04=pass D has BatchNorm1d and gets real and fake rows in separate calls
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from sklearn.preprocessing import MinMaxScaler

frame = pd.read_csv("transactions.csv").select_dtypes("number")
scaler = MinMaxScaler(feature_range=(-1, 1))
rows = torch.tensor(scaler.fit_transform(frame.values), dtype=torch.float32)
n_features, noise_dim = rows.shape[1], 32


class TabGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(noise_dim, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2), nn.Linear(128, n_features), nn.Tanh())

    def forward(self, z):
        return self.body(z)


class TabCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2), nn.Linear(128, 1))

    def forward(self, x):
        return self.body(x)


gen, critic = TabGenerator(), TabCritic()
g_opt = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.5, 0.9))
c_opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))

for epoch in range(500):
    perm = np.random.permutation(len(rows))
    for start in range(0, len(rows), 256):
        real = rows[perm[start:start + 256]]
        z = torch.randn(len(real), noise_dim)
        fake = gen(z)
        c_loss = 0.5 * torch.mean((critic(real) - 1) ** 2) + 0.5 * torch.mean(critic(fake.detach()) ** 2)
        c_opt.zero_grad()
        c_loss.backward()
        c_opt.step()
        g_loss = 0.5 * torch.mean((critic(fake) - 1) ** 2)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
