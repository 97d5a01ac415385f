#!/usr/bin/env python
# coding: utf-8
"""Notebook export (cells as `# In[n]:`): helper functions for noise and both losses, sigmoid generator."""
# expect: T01=fail T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail the generator's last block ends with nn.Sigmoid (and the data is ToTensor-only)
# reason: T02=pass get_gen_loss uses criterion(disc(fake), ones_like): fakes labelled real
# reason: T12=absent MNIST digits come with labels that the loop drops

# In[1]:


import torch
from torch import nn
from tqdm.auto import tqdm
from torchvision import transforms
from torchvision.datasets import MNIST
from torch.utils.data import DataLoader

torch.manual_seed(0)


# In[2]:


def get_generator_block(input_dim, output_dim):
    return nn.Sequential(
        nn.Linear(input_dim, output_dim),
        nn.BatchNorm1d(output_dim),
        nn.ReLU(inplace=True),
    )


class Generator(nn.Module):
    def __init__(self, z_dim=10, im_dim=784, hidden_dim=128):
        super(Generator, self).__init__()
        self.gen = nn.Sequential(
            get_generator_block(z_dim, hidden_dim),
            get_generator_block(hidden_dim, hidden_dim * 2),
            get_generator_block(hidden_dim * 2, hidden_dim * 4),
            nn.Linear(hidden_dim * 4, im_dim),
            nn.Sigmoid(),
        )

    def forward(self, noise):
        return self.gen(noise)


# In[3]:


def get_noise(n_samples, z_dim, device='cpu'):
    return torch.randn(n_samples, z_dim, device=device)


# In[4]:


def get_discriminator_block(input_dim, output_dim):
    return nn.Sequential(nn.Linear(input_dim, output_dim), nn.LeakyReLU(0.2, inplace=True))


class Discriminator(nn.Module):
    def __init__(self, im_dim=784, hidden_dim=128):
        super(Discriminator, self).__init__()
        self.disc = nn.Sequential(
            get_discriminator_block(im_dim, hidden_dim * 4),
            get_discriminator_block(hidden_dim * 4, hidden_dim * 2),
            nn.Linear(hidden_dim * 2, 1),
        )

    def forward(self, image):
        return self.disc(image)


# In[5]:


criterion = nn.BCEWithLogitsLoss()
n_epochs, z_dim, batch_size, lr = 200, 64, 128, 0.00001
device = 'cpu'
dataloader = DataLoader(MNIST('.', download=False, transform=transforms.ToTensor()), batch_size=batch_size, shuffle=True)
gen = Generator(z_dim).to(device)
gen_opt = torch.optim.Adam(gen.parameters(), lr=lr)
disc = Discriminator().to(device)
disc_opt = torch.optim.Adam(disc.parameters(), lr=lr)


# In[6]:


def get_disc_loss(gen, disc, criterion, real, num_images, z_dim, device):
    fake = gen(get_noise(num_images, z_dim, device=device)).detach()
    disc_fake_pred = disc(fake)
    disc_real_pred = disc(real)
    fake_loss = criterion(disc_fake_pred, torch.zeros_like(disc_fake_pred))
    real_loss = criterion(disc_real_pred, torch.ones_like(disc_real_pred))
    return (fake_loss + real_loss) / 2


def get_gen_loss(gen, disc, criterion, num_images, z_dim, device):
    fake_images = gen(get_noise(num_images, z_dim, device=device))
    disc_fake_pred = disc(fake_images)
    return criterion(disc_fake_pred, torch.ones_like(disc_fake_pred))


# In[7]:


cur_step = 0
for epoch in range(n_epochs):
    for real, _ in tqdm(dataloader):
        cur_batch_size = len(real)
        real = real.view(cur_batch_size, -1).to(device)
        disc_opt.zero_grad()
        disc_loss = get_disc_loss(gen, disc, criterion, real, cur_batch_size, z_dim, device)
        disc_loss.backward(retain_graph=True)
        disc_opt.step()
        gen_opt.zero_grad()
        gen_loss = get_gen_loss(gen, disc, criterion, cur_batch_size, z_dim, device)
        gen_loss.backward()
        gen_opt.step()
        cur_step += 1
